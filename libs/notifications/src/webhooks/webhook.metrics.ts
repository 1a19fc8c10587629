import { Database, MetricsService } from '@bourse/platform';
import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { WebhookRepository } from './webhook.repository';

/** Partner webhook deliveries: outcomes and first-attempt latency. */
@Injectable()
export class WebhookMetrics {
  private readonly attempts: Counter<'outcome'>;
  private readonly firstAttempt: Histogram;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.attempts = new Counter({
      name: 'bourse_webhook_attempts_total',
      help: 'Webhook delivery attempts, by outcome (sent: a 2xx; failed: anything else).',
      labelNames: ['outcome'],
      registers,
    });
    this.firstAttempt = new Histogram({
      name: 'bourse_webhook_first_attempt_seconds',
      help: 'From the publishing commit to the answer of a delivery’s first attempt.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  recordAttempt(ok: boolean): void {
    this.attempts.inc({ outcome: ok ? 'sent' : 'failed' });
  }

  recordFirstAttempt(seconds: number): void {
    this.firstAttempt.observe(seconds);
  }
}

/**
 * The pending backlog, read from Postgres on scrape: the worker's only (like the outbox gauges),
 * so one figure per worker pod rather than the same count from every api pod, and an api scrape
 * never queues on its own pool. A failing read keeps the last value.
 */
@Injectable()
export class WebhookBacklogMetrics {
  constructor(metrics: MetricsService, db: Database, repo: WebhookRepository) {
    const logger = new Logger('WebhookBacklogMetrics');
    new Gauge({
      name: 'bourse_webhook_backlog',
      help: 'Deliveries still pending (first attempt or a retry due).',
      registers: [metrics.registry],
      async collect() {
        try {
          this.set(await repo.backlog(db.manager));
        } catch (error) {
          logger.warn({ msg: 'bourse_webhook_backlog not collected', err: error });
        }
      },
    });
  }
}
