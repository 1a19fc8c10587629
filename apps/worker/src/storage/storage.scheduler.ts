import { STORAGE_QUEUE, StorageJob, type StorageAppConfig } from '@bourse/storage';
import { APP_CONFIG, Database, OutboxService, PeriodicJobScheduler } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';

/** One sweep of abandoned uploads per `storage.sweepIntervalSeconds` bucket. */
@Injectable()
export class StorageScheduler extends PeriodicJobScheduler {
  constructor(@Inject(APP_CONFIG) config: StorageAppConfig, db: Database, outbox: OutboxService) {
    super(db, outbox, [
      {
        what: 'sweep of pending uploads',
        intervalSeconds: config.storage.sweepIntervalSeconds,
        queue: STORAGE_QUEUE,
        name: StorageJob.SweepPending,
        jobIdPrefix: 'storage-sweep-pending',
      },
    ]);
  }
}
