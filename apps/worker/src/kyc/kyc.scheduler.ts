import { KYC_QUEUE, KycJob, type KycAppConfig } from '@bourse/kyc';
import { APP_CONFIG, Database, OutboxService, PeriodicJobScheduler } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';

/** One erasure of PII past its retention date per `kyc.eraseIntervalSeconds` bucket. */
@Injectable()
export class KycScheduler extends PeriodicJobScheduler {
  constructor(@Inject(APP_CONFIG) config: KycAppConfig, db: Database, outbox: OutboxService) {
    super(db, outbox, [
      {
        what: 'erasure of KYC data past its retention',
        intervalSeconds: config.kyc.eraseIntervalSeconds,
        queue: KYC_QUEUE,
        name: KycJob.EraseExpired,
        jobIdPrefix: 'kyc-erase-expired',
      },
    ]);
  }
}
