import { MetricsService } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { SentChannel } from './notifications.types';

/** Notifications delivered and failed per channel, on the process's registry. */
@Injectable()
export class NotificationsMetrics {
  private readonly sent: Counter<'channel'>;
  private readonly failed: Counter<'channel'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.sent = new Counter({
      name: 'bourse_notifications_sent_total',
      help: 'Notifications the provider accepted, by channel (the in-app inbox is not counted: it is a row).',
      labelNames: ['channel'],
      registers,
    });
    this.failed = new Counter({
      name: 'bourse_notifications_failed_total',
      help: 'Failed delivery attempts, by channel (each retried by the queue).',
      labelNames: ['channel'],
      registers,
    });
  }

  recordSent(channel: SentChannel): void {
    this.sent.inc({ channel });
  }

  recordFailed(channel: SentChannel): void {
    this.failed.inc({ channel });
  }
}
