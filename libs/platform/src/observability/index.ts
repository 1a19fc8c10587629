export { READINESS_CHECKS, withTimeout, type ReadinessCheck } from './health.checks';
export { MetricsServer, type MetricsPort } from './metrics.server';
export { MetricsService } from './metrics.service';
export { ObservabilityModule } from './observability.module';
export { ShutdownState } from './shutdown.state';
