import { TransfersService } from '@bourse/ledger';
import { newId, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { v5 as uuidV5 } from 'uuid';
import { DisputesRepository } from './disputes.repository';
import { PaymentAccounts } from './payment-accounts';
import { PaymentsRepository } from './payments.repository';
import type { Dispute, DisputeReport, Payment, PaymentProvider } from './payments.types';

/** Namespace of the ledger transfer ids derived from a dispute and its step. */
const DISPUTE_TRANSFER_NAMESPACE = 'c3f7a0d2-5e4b-4b8e-a1d9-7f2e6c0b3a15';

/**
 * Disputes (chargebacks) in the ledger. Opened, the provider withholds the amount: it leaves
 * `psp_clearing` for the disputes reserve. Won, it comes back to `psp_clearing`; lost, the
 * reserve is written off to dispute losses. Each step is one transfer with an id derived from
 * the dispute and the step, in the inbox's transaction, under the payment's lock: a report
 * applied twice moves nothing, and a `closed` arriving before `created` posts both steps.
 */
@Injectable()
export class DisputesService {
  constructor(
    private readonly payments: PaymentsRepository,
    private readonly disputes: DisputesRepository,
    private readonly transfers: TransfersService,
    private readonly accounts: PaymentAccounts,
  ) {}

  /** Applies a provider's report; a dispute on a payment Bourse did not create is ignored. */
  async apply(
    provider: PaymentProvider,
    report: DisputeReport,
    tx: Tx,
  ): Promise<Dispute | undefined> {
    const payment = await this.payments.lockByProviderRef(tx, provider, report.paymentRef);
    if (!payment) {
      return undefined;
    }
    const inserted = await this.disputes.insert(tx, {
      id: newId(),
      paymentId: payment.id,
      provider,
      providerRef: report.ref,
      asset: payment.asset,
      amount: report.amount,
      reason: report.reason,
      evidenceDueBy: report.evidenceDueBy,
    });
    if (inserted) {
      await this.move(tx, payment, inserted, 'opened', 'dispute_reserve', 'psp_clearing');
    }
    const dispute = inserted ?? (await this.disputes.lock(tx, provider, report.ref))!;
    if (report.status === 'open') {
      if (report.evidenceDueBy) {
        await this.disputes.setDueBy(tx, dispute.id, report.evidenceDueBy);
      }

      return dispute;
    }
    const closed = await this.disputes.close(tx, dispute.id, report.status);
    if (!closed) {
      return dispute;
    }
    if (closed.status === 'won') {
      await this.move(tx, payment, closed, 'won', 'psp_clearing', 'dispute_reserve');
    } else {
      await this.move(tx, payment, closed, 'lost', 'dispute_losses', 'dispute_reserve');
    }

    return closed;
  }

  private async move(
    tx: Tx,
    payment: Payment,
    dispute: Dispute,
    step: 'opened' | 'won' | 'lost',
    from: 'dispute_reserve' | 'psp_clearing' | 'dispute_losses',
    to: 'dispute_reserve' | 'psp_clearing',
  ): Promise<void> {
    await this.transfers.transfer(
      {
        id: uuidV5(`${dispute.id}:${step}`, DISPUTE_TRANSFER_NAMESPACE),
        debitAccountId: await this.accounts.id(from, dispute.asset, tx),
        creditAccountId: await this.accounts.id(to, dispute.asset, tx),
        amount: dispute.amount,
        asset: dispute.asset,
        code: `payment.dispute_${step}`,
        metadata: { paymentId: payment.id, disputeId: dispute.id, provider: payment.provider },
      },
      tx,
    );
  }
}
