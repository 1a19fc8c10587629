import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PostgresCheck, RedisCheck } from './dependency.checks';
import { DependencyMetrics } from './dependency.metrics';
import { READINESS_CHECKS, type ReadinessCheck } from './health.checks';
import { HealthController } from './health.controller';
import { METRICS_PORT, MetricsServer, type MetricsPort } from './metrics.server';
import { MetricsService } from './metrics.service';
import { PoolMetrics } from './pool.metrics';
import { ShutdownState } from './shutdown.state';

/**
 * /health/live and /health/ready on the app's port and /metrics on its own port, for the api
 * and the worker alike.
 */
@Global()
@Module({})
export class ObservabilityModule {
  /**
   * `metricsPort` picks the config's port for /metrics; `checks` are added to Postgres and Redis
   * in /health/ready (the worker adds its queues).
   */
  static forRoot(metricsPort: MetricsPort, checks: Type<ReadinessCheck>[] = []): DynamicModule {
    const all = [PostgresCheck, RedisCheck, ...checks];

    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        MetricsService,
        MetricsServer,
        { provide: METRICS_PORT, useValue: metricsPort },
        PoolMetrics,
        DependencyMetrics,
        ShutdownState,
        ...all,
        {
          provide: READINESS_CHECKS,
          inject: all,
          useFactory: (...instances: ReadinessCheck[]) => instances,
        },
      ],
      exports: [MetricsService, MetricsServer, ShutdownState],
    };
  }
}
