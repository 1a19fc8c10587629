import {
  APP_CONFIG,
  Database,
  INBOX_QUEUE,
  INBOX_SWEEP_INTERVAL_SECONDS,
  InboxJob,
  OutboxService,
  PeriodicJobScheduler,
  PLATFORM_QUEUE,
  PlatformJob,
  type AppConfig,
  type PeriodicJob,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';

/**
 * The platform's housekeeping: one purge of expired idempotency keys per
 * `idempotency.purgeIntervalSeconds` bucket, one purge of finished outbox rows per hour, and a
 * sweep of inbox events whose job is gone every INBOX_SWEEP_INTERVAL_SECONDS.
 */
@Injectable()
export class PlatformScheduler extends PeriodicJobScheduler {
  readonly purgeIdempotencyKeys: PeriodicJob;
  readonly purgeOutbox: PeriodicJob;
  readonly sweepInbox: PeriodicJob;

  constructor(@Inject(APP_CONFIG) config: AppConfig, db: Database, outbox: OutboxService) {
    const purgeIdempotencyKeys: PeriodicJob = {
      what: 'purge of idempotency keys',
      intervalSeconds: config.idempotency.purgeIntervalSeconds,
      queue: PLATFORM_QUEUE,
      name: PlatformJob.PurgeIdempotencyKeys,
      jobIdPrefix: 'purge-idempotency-keys',
    };
    const purgeOutbox: PeriodicJob = {
      what: 'purge of finished outbox rows',
      intervalSeconds: 3600,
      queue: PLATFORM_QUEUE,
      name: PlatformJob.PurgeOutbox,
      jobIdPrefix: 'purge-outbox',
    };
    const sweepInbox: PeriodicJob = {
      what: 'sweep of unprocessed inbox events',
      intervalSeconds: INBOX_SWEEP_INTERVAL_SECONDS,
      queue: INBOX_QUEUE,
      name: InboxJob.SweepUnprocessed,
      jobIdPrefix: 'sweep-inbox',
    };
    super(db, outbox, [purgeIdempotencyKeys, purgeOutbox, sweepInbox]);
    this.purgeIdempotencyKeys = purgeIdempotencyKeys;
    this.purgeOutbox = purgeOutbox;
    this.sweepInbox = sweepInbox;
  }
}
