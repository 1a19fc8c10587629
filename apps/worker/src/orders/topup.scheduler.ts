import { TOPUP_QUEUE, TopupJob, type OrdersAppConfig } from '@bourse/orders';
import { APP_CONFIG, Database, OutboxService, PeriodicJobScheduler } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';

/** One sweep of stuck orders per TOPUP_SWEEP_INTERVAL_SECONDS, one catalogue refresh per TOPUP_CATALOGUE_REFRESH_SECONDS. */
@Injectable()
export class TopupScheduler extends PeriodicJobScheduler {
  constructor(@Inject(APP_CONFIG) config: OrdersAppConfig, db: Database, outbox: OutboxService) {
    super(db, outbox, [
      {
        what: 'sweep of stuck top-up orders',
        intervalSeconds: config.orders.sweepIntervalSeconds,
        queue: TOPUP_QUEUE,
        name: TopupJob.Sweep,
        jobIdPrefix: 'topup-sweep',
      },
      {
        what: 'top-up catalogue refresh',
        intervalSeconds: config.orders.catalogueRefreshSeconds,
        queue: TOPUP_QUEUE,
        name: TopupJob.RefreshCatalogue,
        jobIdPrefix: 'topup-catalogue',
      },
    ]);
  }
}
