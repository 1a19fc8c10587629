import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Database } from '../database/database';
import { MetricsService } from '../observability/metrics.service';
import { InboxRepository } from './inbox.repository';

/** What the webhook routes count (api). */
@Injectable()
export class InboxMetrics {
  readonly received: Counter<'provider'>;
  readonly duplicates: Counter<'provider'>;
  readonly signatureFailures: Counter<'provider'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.received = new Counter({
      name: 'inbox_events_received_total',
      help: 'Provider events stored in the inbox (first deliveries).',
      labelNames: ['provider'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'inbox_events_duplicate_total',
      help: 'Provider deliveries of an event already in the inbox (answered 2xx, nothing stored).',
      labelNames: ['provider'],
      registers,
    });
    this.signatureFailures = new Counter({
      name: 'inbox_signature_failures_total',
      help: 'Webhook deliveries refused because their signature did not verify.',
      labelNames: ['provider'],
      registers,
    });
  }
}

/** The inbox lag (worker): read from Postgres on scrape, like outbox_pending_rows. */
@Injectable()
export class InboxLagMetric {
  constructor(metrics: MetricsService, db: Database, inbox: InboxRepository) {
    const logger = new Logger('InboxLagMetric');
    // A failing read keeps the last value: one slow dependency must not fail the whole scrape.
    new Gauge({
      name: 'inbox_oldest_unprocessed_seconds',
      help: 'Age of the oldest provider event not yet processed (0 when none waits).',
      registers: [metrics.registry],
      async collect() {
        try {
          this.set(await inbox.oldestUnprocessedAgeSeconds(db.manager));
        } catch (error) {
          logger.warn({ msg: 'inbox_oldest_unprocessed_seconds not collected', err: error });
        }
      },
    });
  }
}
