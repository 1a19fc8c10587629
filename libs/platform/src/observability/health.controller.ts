import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { READINESS_CHECKS, withTimeout, type ReadinessCheck } from './health.checks';
import { ShutdownState } from './shutdown.state';

const CHECK_TIMEOUT_MS = 2000;

/** SRE endpoints: outside /v1, unauthenticated, not rate limited, not in the OpenAPI document. */
@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  /** Process is up; never checks dependencies (a dependency outage must not restart pods). */
  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const probes = [
      async () => {
        const indicator = this.indicators.check('shutdown');

        return this.shutdown.isShuttingDown
          ? indicator.down({ message: 'SIGTERM received' })
          : indicator.up();
      },
      ...this.checks.map((dependency) => async () => {
        const indicator = this.indicators.check(dependency.name);
        try {
          await withTimeout(dependency.check(), CHECK_TIMEOUT_MS, dependency.name);

          return indicator.up();
        } catch (error) {
          return indicator.down({ message: (error as Error).message });
        }
      }),
    ];
    try {
      return await this.health.check(probes);
    } catch (error) {
      // Terminus throws its result as a 503; answer it as is so probes and people see every check.
      const result = (error as { getResponse?: () => HealthCheckResult }).getResponse?.();
      if (!result) {
        throw error;
      }
      void reply.status(503);

      return result;
    }
  }
}
