import { Database, MetricsService } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { WebhookRepository } from './webhook.repository';

/** Partner webhook deliveries: outcomes, the pending backlog and first-attempt latency. */
@Injectable()
export class WebhookMetrics {
  private readonly attempts: Counter<'outcome'>;
  private readonly firstAttempt: Histogram;

  constructor(metrics: MetricsService, db: Database, repo: WebhookRepository) {
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
    new Gauge({
      name: 'bourse_webhook_backlog',
      help: 'Deliveries still pending (first attempt or a retry due).',
      registers,
      async collect() {
        this.set(await repo.backlog(db.manager));
      },
    });
  }

  recordAttempt(ok: boolean): void {
    this.attempts.inc({ outcome: ok ? 'sent' : 'failed' });
  }

  recordFirstAttempt(seconds: number): void {
    this.firstAttempt.observe(seconds);
  }
}
