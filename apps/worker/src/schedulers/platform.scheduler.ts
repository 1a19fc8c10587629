import {
  APP_CONFIG,
  Database,
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
 * `idempotency.purgeIntervalSeconds` bucket and one purge of finished outbox rows per hour.
 */
@Injectable()
export class PlatformScheduler extends PeriodicJobScheduler {
  readonly purgeIdempotencyKeys: PeriodicJob;
  readonly purgeOutbox: PeriodicJob;

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
    super(db, outbox, [purgeIdempotencyKeys, purgeOutbox]);
    this.purgeIdempotencyKeys = purgeIdempotencyKeys;
    this.purgeOutbox = purgeOutbox;
  }
}
