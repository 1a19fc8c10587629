import { AccountsService, AssetNotFoundError, TransfersService } from '@bourse/ledger';
import {
  AuditLog,
  Database,
  ForbiddenError,
  IdempotencyService,
  newId,
  type AuditContext,
  type IdempotentRequest,
  type IdempotentResponse,
  type Principal,
  type Tx,
} from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { v5 as uuidV5 } from 'uuid';
import {
  toPaymentDto,
  type CreatePaymentDto,
  type PaymentDto,
  type PaymentPageDto,
} from './dto/payment.dto';
import { PaymentAccounts } from './payment-accounts';
import { PaymentPurposes } from './payment-purpose';
import { PAYMENTS_AUDIT } from './payments.audit';
import { AmountTooLargeError, PaymentNotFoundError, PaymentStateError } from './payments.errors';
import { PaymentsRepository } from './payments.repository';
import {
  statesBefore,
  TERMINAL_STATES,
  type Payment,
  type PaymentProvider,
  type ProviderReport,
} from './payments.types';
import type { PaymentGateway } from './payment-gateway';
import { PayPalGateway } from './paypal.gateway';
import { StripeGateway } from './stripe.gateway';

/** Namespace of the ledger transfer ids derived from a payment and a cumulative amount. */
const TRANSFER_NAMESPACE = '6f1d9a51-0c1e-4d55-9a57-5b0e0f3f2a20';

/** Roles that read every payment (they move no money through these routes). */
const STAFF_ROLES: readonly string[] = ['admin', 'support'];

/** Payments are made by signed-in users, for themselves. */
function payerOf(principal: Principal | undefined): string {
  if (principal?.kind !== 'user') {
    throw new ForbiddenError('Only users make payments');
  }

  return principal.userId;
}

const isStaff = (principal: Principal | undefined): boolean =>
  principal?.kind === 'user' && STAFF_ROLES.includes(principal.role);

/**
 * Payment intents and their settlement. Every change of what was captured or refunded is a ledger
 * transfer in the transaction that records it, under the payment's row lock, with an id derived
 * from the payment and the new cumulative amount: a report applied twice, or a capture the api
 * and a webhook both report, moves money once.
 */
@Injectable()
export class PaymentsService {
  private readonly gateways: Record<PaymentProvider, PaymentGateway>;

  constructor(
    private readonly db: Database,
    private readonly idempotency: IdempotencyService,
    private readonly repository: PaymentsRepository,
    private readonly purposes: PaymentPurposes,
    private readonly accounts: AccountsService,
    private readonly transfers: TransfersService,
    private readonly paymentAccounts: PaymentAccounts,
    stripe: StripeGateway,
    paypal: PayPalGateway,
    private readonly audit: AuditLog,
  ) {
    this.gateways = { stripe, paypal };
  }

  /** Creates the intent here and at the provider; answers what the payer's client needs. */
  create(
    principal: Principal | undefined,
    body: CreatePaymentDto,
    call?: IdempotentRequest,
  ): Promise<PaymentDto | IdempotentResponse<PaymentDto>> {
    const ownerId = payerOf(principal);
    this.purposes.get(body.purpose);

    return this.idempotency.transaction(call, async (tx) => {
      if (!(await this.accounts.getAsset(body.asset, tx))) {
        throw new AssetNotFoundError(body.asset);
      }
      const payment = await this.repository.insert(tx, {
        id: newId(),
        ownerId,
        purpose: body.purpose,
        provider: body.provider,
        captureMode: body.captureMode ?? 'automatic',
        asset: body.asset,
        amount: BigInt(body.amount),
      });
      const created = await this.gateways[payment.provider].createIntent({
        paymentId: payment.id,
        amount: payment.amount,
        asset: payment.asset,
        captureMode: payment.captureMode,
      });

      return toPaymentDto(
        await this.repository.setProviderRef(
          tx,
          payment.id,
          created.ref,
          created.clientSecret,
          created.approvalUrl,
        ),
        true,
      );
    });
  }

  /** The payment, to its payer or staff; anyone else gets the 404 an unknown id gets. */
  async get(principal: Principal | undefined, id: string): Promise<PaymentDto> {
    const payment = await this.repository.find(this.db.manager, id);
    const payer = principal?.kind === 'user' && payment?.ownerId === principal.userId;
    if (!payment || !(payer || isStaff(principal))) {
      throw new PaymentNotFoundError(id);
    }

    return toPaymentDto(payment, payer);
  }

  /** The caller's payments; staff see everyone's, or one user's with `ownerId`. */
  async list(
    principal: Principal | undefined,
    query: { ownerId?: string; cursor?: string; limit: number },
  ): Promise<PaymentPageDto> {
    const staff = isStaff(principal);
    const ownerId = staff
      ? query.ownerId
      : principal?.kind === 'user'
        ? principal.userId
        : undefined;
    if (!staff && !ownerId) {
      return { payments: [] };
    }
    const found = await this.repository.page(this.db.manager, ownerId, {
      cursor: query.cursor,
      limit: query.limit + 1,
    });
    const shown = found.slice(0, query.limit);

    return {
      payments: shown.map((payment) =>
        toPaymentDto(payment, principal?.kind === 'user' && payment.ownerId === principal.userId),
      ),
      nextCursor: found.length > query.limit ? shown.at(-1)!.id : undefined,
    };
  }

  /**
   * Captures `amount` (default: all that is left) of a manually captured intent, in the caller's
   * transaction when given. Not `final`, the rest stays authorised for later captures; by
   * default the capture is final once it takes the rest.
   */
  capture(
    id: string,
    options: { amount?: bigint; final?: boolean } = {},
    outer?: Tx,
  ): Promise<Payment> {
    return this.db.transaction(outer, async (tx) => {
      const payment = await this.locked(tx, id);
      if (payment.state !== 'requires_capture') {
        throw new PaymentStateError(id, payment.state, 'be captured');
      }
      const left = payment.amount - payment.captured;
      const amount = options.amount ?? left;
      if (amount > left) {
        throw new AmountTooLargeError('capture', left);
      }
      const captured = payment.captured + amount;
      const report = await this.gateways[payment.provider].capture(
        payment.providerRef!,
        amount,
        options.final ?? captured === payment.amount,
        `capture:${id}:${captured}`,
      );

      return this.settle(tx, payment, report);
    });
  }

  /** Cancels what is authorised and not captured; a terminal payment cannot be cancelled. */
  cancel(id: string, outer?: Tx): Promise<Payment> {
    return this.db.transaction(outer, async (tx) => {
      const payment = await this.locked(tx, id);
      if (TERMINAL_STATES.includes(payment.state)) {
        throw new PaymentStateError(id, payment.state, 'be cancelled');
      }

      return this.settle(
        tx,
        payment,
        await this.gateways[payment.provider].cancel(payment.providerRef!),
      );
    });
  }

  /**
   * Refunds `amount` (default: all captured and not refunded). The ledger moves first, in the
   * same transaction, so a refund the payer's balance cannot cover is refused before the
   * provider pays anything back; the provider call then commits or rolls back with it.
   */
  refund(id: string, amount?: bigint, outer?: Tx): Promise<Payment> {
    return this.db.transaction(outer, async (tx) => {
      const payment = await this.locked(tx, id);
      const left = payment.captured - payment.refunded;
      const refund = amount ?? left;
      if (refund <= 0n || refund > left) {
        throw new AmountTooLargeError('refund', left);
      }
      const refunded = payment.refunded + refund;
      const settled = await this.settle(tx, payment, { ref: payment.providerRef!, refunded });
      await this.gateways[payment.provider].refund(
        payment.providerRef!,
        refund,
        `refund:${id}:${refunded}`,
      );

      return settled;
    });
  }

  /** An admin's refund, audited, idempotent by the caller's key. */
  refundAsAdmin(
    id: string,
    amount: bigint | undefined,
    context: AuditContext,
    call?: IdempotentRequest,
  ): Promise<PaymentDto | IdempotentResponse<PaymentDto>> {
    return this.idempotency.transaction(call, async (tx) => {
      const before = await this.locked(tx, id);
      const payment = await this.refund(id, amount, tx);
      await this.audit.record(
        tx,
        context,
        PAYMENTS_AUDIT.event('payment.refund', id, {
          amount: (payment.refunded - before.refunded).toString(),
        }),
      );

      return toPaymentDto(payment, false);
    });
  }

  /**
   * Applies what a provider reported (a webhook) to the payment it names, in the inbox's
   * transaction. Unknown intents (not created by Bourse) are ignored. Returns the payment.
   */
  applyReport(
    provider: PaymentProvider,
    report: ProviderReport,
    tx: Tx,
  ): Promise<Payment | undefined> {
    return this.applyFetched(provider, report.ref, tx, async () => report);
  }

  /**
   * As applyReport, for providers whose events only say that something changed: `fetch` asks the
   * provider for the intent's whole state (and may complete it) while the payment is locked.
   */
  async applyFetched(
    provider: PaymentProvider,
    ref: string,
    tx: Tx,
    fetch: (payment: Payment) => Promise<ProviderReport>,
  ): Promise<Payment | undefined> {
    const payment = await this.repository.lockByProviderRef(tx, provider, ref);

    return payment && this.settle(tx, payment, await fetch(payment));
  }

  private async locked(tx: Tx, id: string): Promise<Payment> {
    const payment = await this.repository.lock(tx, id);
    if (!payment) {
      throw new PaymentNotFoundError(id);
    }

    return payment;
  }

  /**
   * Raises captured, refunded and the fee to what the report says (never lowers them), each rise one
   * ledger transfer, then moves the state forward when the report allows it. Order-independent:
   * a refund reported before the capture it refunds brings the capture with it (a charge
   * reports both totals), and the later capture report then finds nothing left to do.
   */
  private async settle(tx: Tx, payment: Payment, report: ProviderReport): Promise<Payment> {
    let current = payment;
    let account: string | undefined;
    const settlementAccount = async () =>
      (account ??= await this.purposes.get(payment.purpose).settlementAccount(payment, tx));
    const clearing = () => this.paymentAccounts.id('psp_clearing', payment.asset, tx);

    if (report.captured !== undefined && report.captured > current.captured) {
      const raised = await this.repository.raiseCaptured(tx, payment.id, report.captured);
      await this.transfers.transfer(
        {
          id: uuidV5(`${payment.id}:captured:${report.captured}`, TRANSFER_NAMESPACE),
          debitAccountId: await clearing(),
          creditAccountId: await settlementAccount(),
          amount: report.captured - current.captured,
          asset: payment.asset,
          code: 'payment.capture',
          metadata: { paymentId: payment.id, provider: payment.provider },
        },
        tx,
      );
      current = raised!;
    }
    if (report.refunded !== undefined && report.refunded > current.refunded) {
      const raised = await this.repository.raiseRefunded(tx, payment.id, report.refunded);
      await this.transfers.transfer(
        {
          id: uuidV5(`${payment.id}:refunded:${report.refunded}`, TRANSFER_NAMESPACE),
          debitAccountId: await settlementAccount(),
          creditAccountId: await clearing(),
          amount: report.refunded - current.refunded,
          asset: payment.asset,
          code: 'payment.refund',
          metadata: { paymentId: payment.id, provider: payment.provider },
        },
        tx,
      );
      current = raised!;
    }
    if (report.fee !== undefined && report.fee > current.fee) {
      // The provider keeps its fee out of what it owes us: an expense, not the payer's money.
      const raised = await this.repository.raiseFee(tx, payment.id, report.fee);
      await this.transfers.transfer(
        {
          id: uuidV5(`${payment.id}:fee:${report.fee}`, TRANSFER_NAMESPACE),
          debitAccountId: await this.paymentAccounts.id('psp_fees', payment.asset, tx),
          creditAccountId: await clearing(),
          amount: report.fee - current.fee,
          asset: payment.asset,
          code: 'payment.fee',
          metadata: { paymentId: payment.id, provider: payment.provider },
        },
        tx,
      );
      current = raised!;
    }
    if (report.state && report.state !== current.state) {
      current =
        (await this.repository.transition(
          tx,
          payment.id,
          statesBefore(report.state),
          report.state,
          report.attempt?.declineCode ?? null,
        )) ?? current;
    }
    if (report.attempt) {
      await this.repository.recordAttempt(tx, newId(), payment.id, report.attempt);
    }

    return current;
  }
}
