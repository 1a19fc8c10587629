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

/** One purge of expired idempotency keys per `idempotency.purgeIntervalSeconds` bucket. */
@Injectable()
export class PurgeIdempotencyKeysScheduler extends PeriodicJobScheduler {
  readonly purge: PeriodicJob;

  constructor(@Inject(APP_CONFIG) config: AppConfig, db: Database, outbox: OutboxService) {
    const purge: PeriodicJob = {
      what: 'purge of idempotency keys',
      intervalSeconds: config.idempotency.purgeIntervalSeconds,
      queue: PLATFORM_QUEUE,
      name: PlatformJob.PurgeIdempotencyKeys,
      jobIdPrefix: 'purge-idempotency-keys',
    };
    super(db, outbox, [purge]);
    this.purge = purge;
  }
}
