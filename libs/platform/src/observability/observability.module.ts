import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PostgresCheck, RedisCheck } from './dependency.checks';
import { READINESS_CHECKS, type ReadinessCheck } from './health.checks';
import { HealthController } from './health.controller';
import { MetricsService } from './metrics.service';
import { PoolMetrics } from './pool.metrics';
import { ShutdownState } from './shutdown.state';

/** /health/live, /health/ready and /metrics, served by the api and the worker alike. */
@Global()
@Module({})
export class ObservabilityModule {
  /** `checks` are added to Postgres and Redis in /health/ready (the worker adds its queues). */
  static forRoot(checks: Type<ReadinessCheck>[] = []): DynamicModule {
    const all = [PostgresCheck, RedisCheck, ...checks];

    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        MetricsService,
        PoolMetrics,
        ShutdownState,
        ...all,
        {
          provide: READINESS_CHECKS,
          inject: all,
          useFactory: (...instances: ReadinessCheck[]) => instances,
        },
      ],
      exports: [MetricsService, ShutdownState],
    };
  }
}
