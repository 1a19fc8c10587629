import { NotificationsService } from '@bourse/notifications';
import { APP_CONFIG, Database, MetricsService } from '@bourse/platform';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DisputesRepository } from './disputes.repository';
import type { PaymentsAppConfig } from './payments.config';

/**
 * The evidence-deadline check (a periodic worker job): every open dispute whose evidence is due
 * within PAYMENTS_DISPUTE_ALERT_HOURS is claimed once (`alerted_at`), counted in
 * `bourse_payments_dispute_deadline_alerts_total`, logged, and notified in-app to every admin and
 * support user, in one transaction: a retried job alerts nobody twice.
 */
@Injectable()
export class DisputeAlerts {
  private readonly logger = new Logger('PaymentDisputes');
  private readonly alerts: Counter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: PaymentsAppConfig,
    private readonly db: Database,
    private readonly disputes: DisputesRepository,
    private readonly notifications: NotificationsService,
    metrics: MetricsService,
  ) {
    this.alerts = new Counter({
      name: 'bourse_payments_dispute_deadline_alerts_total',
      help: 'Open disputes whose evidence deadline came within the alert window.',
      labelNames: ['provider'],
      registers: [metrics.registry],
    });
  }

  /** Alerts on the disputes due before `now` + the window; returns how many. */
  check(now = new Date()): Promise<number> {
    const horizon = new Date(now.getTime() + this.config.payments.disputeAlertHours * 3600_000);

    return this.db.transaction(undefined, async (tx) => {
      const due = await this.disputes.claimDue(tx, horizon);
      const staff = due.length > 0 ? await this.disputes.staff(tx) : [];
      for (const dispute of due) {
        this.alerts.inc({ provider: dispute.provider });
        this.logger.warn({
          msg: 'payment dispute evidence due soon',
          disputeId: dispute.id,
          paymentId: dispute.paymentId,
          provider: dispute.provider,
          amount: dispute.amount.toString(),
          asset: dispute.asset,
          evidenceDueBy: dispute.evidenceDueBy?.toISOString(),
        });
        for (const user of staff) {
          await this.notifications.notify(tx, {
            userId: user.id,
            type: 'payments.dispute_due',
            title: 'Dispute evidence due soon',
            body: `Payment ${dispute.paymentId} is disputed (${dispute.amount} ${dispute.asset} minor units); ${dispute.provider} needs evidence by ${dispute.evidenceDueBy?.toISOString()}.`,
            data: { disputeId: dispute.id, paymentId: dispute.paymentId },
          });
        }
      }

      return due.length;
    });
  }
}
