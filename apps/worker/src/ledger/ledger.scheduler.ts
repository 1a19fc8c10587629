import { LEDGER_QUEUE, LedgerJob, type LedgerAppConfig } from '@bourse/ledger';
import { APP_CONFIG, Database, OutboxService, PeriodicJobScheduler } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';

/**
 * One sweep of expired holds per `ledger.pendingSweepIntervalSeconds` bucket and one invariant
 * check per `ledger.verifyIntervalSeconds` bucket.
 */
@Injectable()
export class LedgerScheduler extends PeriodicJobScheduler {
  constructor(@Inject(APP_CONFIG) config: LedgerAppConfig, db: Database, outbox: OutboxService) {
    super(db, outbox, [
      {
        what: 'sweep of expired holds',
        intervalSeconds: config.ledger.pendingSweepIntervalSeconds,
        queue: LEDGER_QUEUE,
        name: LedgerJob.VoidExpiredHolds,
        jobIdPrefix: 'void-expired-holds',
      },
      {
        what: 'ledger invariant check',
        intervalSeconds: config.ledger.verifyIntervalSeconds,
        queue: LEDGER_QUEUE,
        name: LedgerJob.VerifyInvariants,
        jobIdPrefix: 'verify-invariants',
      },
    ]);
  }
}
