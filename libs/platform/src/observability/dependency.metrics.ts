import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { READINESS_CHECKS, withTimeout, type ReadinessCheck } from './health.checks';
import { MetricsService } from './metrics.service';

const CHECK_TIMEOUT_MS = 2000;

/**
 * The readiness checks (Postgres, Redis, the worker's queues) as gauges, run at scrape time:
 * dashboards show each dependency's health and round trip per pod, not only the probe's verdict.
 */
@Injectable()
export class DependencyMetrics {
  constructor(metrics: MetricsService, @Inject(READINESS_CHECKS) checks: ReadinessCheck[]) {
    const registers = [metrics.registry];
    const results = new Map<string, { up: number; seconds: number }>();
    // Both gauges are collected concurrently within one scrape: they share one round of checks.
    let round: Promise<void> | undefined;
    const checkAll = (): Promise<void> =>
      (round ??= Promise.all(
        checks.map(async (dependency) => {
          const started = performance.now();
          let up = 1;
          try {
            await withTimeout(dependency.check(), CHECK_TIMEOUT_MS, dependency.name);
          } catch {
            up = 0;
          }
          results.set(dependency.name, { up, seconds: (performance.now() - started) / 1000 });
        }),
      ).then(
        () => undefined,
        () => undefined,
      )).finally(() => (round = undefined));

    new Gauge({
      name: 'dependency_up',
      help: '1 when the dependency answered its readiness check within 2 s at the last scrape, else 0.',
      labelNames: ['dependency'],
      registers,
      async collect() {
        await checkAll();
        results.forEach(({ up }, dependency) => this.set({ dependency }, up));
      },
    });
    new Gauge({
      name: 'dependency_check_seconds',
      help: 'Round trip of the readiness check of each dependency (postgres, redis, queues) at the last scrape.',
      labelNames: ['dependency'],
      registers,
      async collect() {
        await checkAll();
        results.forEach(({ seconds }, dependency) => this.set({ dependency }, seconds));
      },
    });
  }
}
