export { READINESS_CHECKS, withTimeout, type ReadinessCheck } from './health.checks';
export { isOperationalPath, MetricsService } from './metrics.service';
export { ObservabilityModule } from './observability.module';
export { ShutdownState } from './shutdown.state';
