import {
  WEBHOOKS_QUEUE,
  WebhooksJob,
  WebhooksService,
  type DeliverJob,
  type DeliverOutcome,
  type NotificationsAppConfig,
} from '@bourse/notifications';
import { APP_CONFIG, TracedJob } from '@bourse/platform';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';

/**
 * Runs webhook attempts, WEBHOOKS_CONCURRENCY at once (a decorator's concurrency would be fixed
 * at compile time; this one is configured).
 */
@Injectable()
export class DeliverWebhookProcessor implements OnModuleInit {
  constructor(
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<DeliverJob>,
    @Inject(APP_CONFIG) private readonly config: NotificationsAppConfig,
    private readonly webhooks: WebhooksService,
  ) {}

  onModuleInit(): void {
    void this.queue.process(
      WebhooksJob.Deliver,
      this.config.notifications.webhooks.concurrency,
      (job) => this.deliver(job),
    );
  }

  @TracedJob()
  deliver({ data }: Job<DeliverJob>): Promise<DeliverOutcome> {
    return this.webhooks.deliver(data);
  }
}
