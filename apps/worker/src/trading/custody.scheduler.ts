import { TRADING_QUEUE, TradingJob, type TradingAppConfig } from '@bourse/trading';
import { APP_CONFIG, Database, OutboxService, PeriodicJobScheduler } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';

/** One custody reconciliation per `trading.reconcileIntervalSeconds` bucket (daily by default). */
@Injectable()
export class CustodyScheduler extends PeriodicJobScheduler {
  constructor(@Inject(APP_CONFIG) config: TradingAppConfig, db: Database, outbox: OutboxService) {
    super(db, outbox, [
      {
        what: 'custody reconciliation',
        intervalSeconds: config.trading.reconcileIntervalSeconds,
        queue: TRADING_QUEUE,
        name: TradingJob.Reconcile,
        jobIdPrefix: 'reconcile-custody',
      },
    ]);
  }
}
