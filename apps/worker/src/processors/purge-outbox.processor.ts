import {
  APP_CONFIG,
  OutboxService,
  PLATFORM_QUEUE,
  PlatformJob,
  TracedJob,
  type AppConfig,
  type PeriodicJobPayload,
} from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import { Inject } from '@nestjs/common';
import type { Job } from 'bull';

const DAY_MS = 86_400_000;

@Processor(PLATFORM_QUEUE)
export class PurgeOutboxProcessor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
  ) {}

  @Process(PlatformJob.PurgeOutbox)
  @TracedJob()
  handle({ data }: Job<PeriodicJobPayload>): Promise<number> {
    // The cutoff comes from the job's bucket, so a redelivered job deletes the same range.
    const before = new Date(Date.parse(data.bucket) - this.config.outbox.retentionDays * DAY_MS);

    return this.outbox.purgeFinished(before);
  }
}
