import { PAYMENTS_QUEUE, PaymentsJob, type PaymentsAppConfig } from '@bourse/payments';
import { APP_CONFIG, Database, OutboxService, PeriodicJobScheduler } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';

/**
 * One dispute deadline check per `payments.disputeCheckIntervalSeconds` bucket and one
 * reconciliation of each provider per `payments.reconIntervalSeconds` bucket.
 */
@Injectable()
export class PaymentsScheduler extends PeriodicJobScheduler {
  constructor(@Inject(APP_CONFIG) config: PaymentsAppConfig, db: Database, outbox: OutboxService) {
    super(db, outbox, [
      {
        what: 'dispute evidence deadline check',
        intervalSeconds: config.payments.disputeCheckIntervalSeconds,
        queue: PAYMENTS_QUEUE,
        name: PaymentsJob.DisputeDeadlines,
        jobIdPrefix: 'dispute-deadlines',
      },
      {
        what: 'payments reconciliation',
        intervalSeconds: config.payments.reconIntervalSeconds,
        queue: PAYMENTS_QUEUE,
        name: PaymentsJob.Reconcile,
        jobIdPrefix: 'payments-reconcile',
      },
    ]);
  }
}
