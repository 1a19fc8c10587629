import { AccountsService, AssetNotFoundError, TransfersService } from '@bourse/ledger';
import {
  Database,
  ForbiddenError,
  IdempotencyService,
  newId,
  OutboxService,
  type IdempotentRequest,
  type IdempotentResponse,
  type Principal,
  type Tx,
} from '@bourse/platform';
import { Injectable, Logger } from '@nestjs/common';
import { v5 as uuidV5 } from 'uuid';
import {
  toPayoutDto,
  type CreatePayoutDto,
  type PayoutDto,
  type PayoutPageDto,
} from './dto/payout.dto';
import { PaymentAccounts } from './payment-accounts';
import { ProviderRefusedError, PayoutNotFoundError } from './payments.errors';
import { PAYMENTS_QUEUE, PaymentsJob, type SendPayoutJob } from './payments.jobs';
import { PayoutsRepository } from './payouts.repository';
import type { Payout, PayoutReport, PayoutState } from './payments.types';
import { PayPalGateway } from './paypal.gateway';

/** Namespace of the ledger transfer ids derived from a payout. */
const PAYOUT_TRANSFER_NAMESPACE = '9e4d1b7a-2c6f-4a3e-8b05-d1f7c2a9e864';

/** Roles that read every payout. */
const STAFF_ROLES: readonly string[] = ['admin', 'support'];

/** The states a payout may enter `to` from: forward only; a paid payout may still come back. */
const BEFORE: Record<PayoutState, readonly PayoutState[]> = {
  pending: [],
  in_transit: ['pending'],
  paid: ['pending', 'in_transit'],
  failed: ['pending', 'in_transit'],
  returned: ['pending', 'in_transit', 'paid'],
};

/**
 * Withdrawals to PayPal. The request holds the amount in the ledger (a pending transfer from
 * the wallet to `system:payments_payouts`) and enqueues the sending through the outbox, in one
 * transaction; the worker sends it to PayPal's Payouts API (keyed by the payout id, so a retry
 * sends nothing twice). PayPal's item events then post the hold (paid) or void it (failed,
 * returned); a payout returned after it was paid is credited back to the wallet.
 */
@Injectable()
export class PayoutsService {
  private readonly logger = new Logger('Payouts');

  constructor(
    private readonly db: Database,
    private readonly idempotency: IdempotencyService,
    private readonly outbox: OutboxService,
    private readonly repository: PayoutsRepository,
    private readonly accounts: AccountsService,
    private readonly paymentAccounts: PaymentAccounts,
    private readonly transfers: TransfersService,
    private readonly paypal: PayPalGateway,
  ) {}

  /** Holds the amount on the caller's wallet and queues the payout; answers it `pending`. */
  request(
    principal: Principal | undefined,
    body: CreatePayoutDto,
    call?: IdempotentRequest,
  ): Promise<PayoutDto | IdempotentResponse<PayoutDto>> {
    if (principal?.kind !== 'user') {
      throw new ForbiddenError('Only users withdraw');
    }
    const ownerId = principal.userId;

    return this.idempotency.transaction(call, async (tx) => {
      if (!(await this.accounts.getAsset(body.asset, tx))) {
        throw new AssetNotFoundError(body.asset);
      }
      const id = newId();
      const amount = BigInt(body.amount);
      const holdTransferId = uuidV5(`${id}:hold`, PAYOUT_TRANSFER_NAMESPACE);
      const payout = await this.repository.insert(tx, {
        id,
        ownerId,
        asset: body.asset,
        amount,
        receiver: body.receiver,
        holdTransferId,
      });
      await this.transfers.transfer(
        {
          id: holdTransferId,
          debitAccountId: (await this.accounts.ensureWallet(ownerId, body.asset, tx)).id,
          creditAccountId: await this.paymentAccounts.id('payouts', body.asset, tx),
          amount,
          asset: body.asset,
          code: 'payout.hold',
          pending: true,
          metadata: { payoutId: id, provider: 'paypal' },
        },
        tx,
      );
      await this.outbox.enqueue<SendPayoutJob>(tx, {
        queue: PAYMENTS_QUEUE,
        name: PaymentsJob.SendPayout,
        jobId: `payout:${id}`,
        payload: { payoutId: id },
      });

      return toPayoutDto(payout);
    });
  }

  /** The payout, to its owner or staff; anyone else gets the 404 an unknown id gets. */
  async get(principal: Principal | undefined, id: string): Promise<PayoutDto> {
    const payout = await this.repository.find(this.db.manager, id);
    if (!payout || !this.mayRead(principal, payout)) {
      throw new PayoutNotFoundError(id);
    }

    return toPayoutDto(payout);
  }

  /** The caller's payouts; staff see everyone's, or one user's with `ownerId`. */
  async list(
    principal: Principal | undefined,
    query: { ownerId?: string; cursor?: string; limit: number },
  ): Promise<PayoutPageDto> {
    const staff = this.isStaff(principal);
    const ownerId = staff
      ? query.ownerId
      : principal?.kind === 'user'
        ? principal.userId
        : undefined;
    if (!staff && !ownerId) {
      return { payouts: [] };
    }
    const found = await this.repository.page(this.db.manager, ownerId, {
      cursor: query.cursor,
      limit: query.limit + 1,
    });
    const shown = found.slice(0, query.limit);

    return {
      payouts: shown.map(toPayoutDto),
      nextCursor: found.length > query.limit ? shown.at(-1)!.id : undefined,
    };
  }

  /**
   * Sends a pending payout to PayPal (the worker's job), under the payout's lock so PayPal's
   * events about it wait for the batch id. A refusal fails the payout and releases the hold;
   * PayPal unreachable throws, and the job is retried with the same key.
   */
  send(payoutId: string): Promise<Payout | undefined> {
    return this.db.transaction(undefined, async (tx) => {
      const payout = await this.repository.lock(tx, payoutId);
      if (payout?.state !== 'pending') {
        return payout;
      }
      try {
        const batchId = await this.paypal.createPayout({
          payoutId,
          amount: payout.amount,
          asset: payout.asset,
          receiver: payout.receiver,
        });

        return this.repository.transition(tx, payoutId, BEFORE.in_transit, 'in_transit', {
          batchId,
        });
      } catch (error) {
        if (!(error instanceof ProviderRefusedError)) {
          throw error;
        }
        this.logger.warn({ msg: 'PayPal refused a payout', payoutId, error: error.message });

        return this.settle(tx, payout, {
          itemId: undefined,
          state: 'failed',
          providerStatus: `REFUSED: ${error.message}`.slice(0, 200),
        });
      }
    });
  }

  /**
   * Applies what PayPal says of a payout item (the inbox's transaction): `fetch` reads the item's
   * current status under the payout's lock, so events in any order or repeated end in one state
   * and one ledger movement. Items of payouts Bourse did not request are ignored.
   */
  async applyItem(
    payoutId: string,
    batchId: string,
    tx: Tx,
    fetch: () => Promise<PayoutReport>,
  ): Promise<Payout | undefined> {
    const payout = await this.repository.lock(tx, payoutId);
    if (!payout || payout.providerBatchId !== batchId) {
      return undefined;
    }

    return this.settle(tx, payout, await fetch());
  }

  private async settle(
    tx: Tx,
    payout: Payout,
    report: { itemId: string | undefined; state: PayoutState; providerStatus: string },
  ): Promise<Payout> {
    const provider = { itemId: report.itemId, status: report.providerStatus };
    if (report.state === payout.state) {
      return (
        (await this.repository.transition(tx, payout.id, [payout.state], payout.state, provider)) ??
        payout
      );
    }
    const moved = await this.repository.transition(
      tx,
      payout.id,
      BEFORE[report.state],
      report.state,
      provider,
    );
    if (!moved) {
      return payout;
    }
    if (report.state === 'paid') {
      await this.transfers.postPending(payout.holdTransferId, {}, tx);
    } else if (
      report.state === 'failed' ||
      (report.state === 'returned' && payout.state !== 'paid')
    ) {
      await this.transfers.voidPending(payout.holdTransferId, tx);
    } else if (report.state === 'returned') {
      // Paid, then returned by PayPal (unclaimed, reversed): the money comes back to the wallet.
      await this.transfers.transfer(
        {
          id: uuidV5(`${payout.id}:returned`, PAYOUT_TRANSFER_NAMESPACE),
          debitAccountId: await this.paymentAccounts.id('payouts', payout.asset, tx),
          creditAccountId: (await this.accounts.ensureWallet(payout.ownerId, payout.asset, tx)).id,
          amount: payout.amount,
          asset: payout.asset,
          code: 'payout.return',
          metadata: { payoutId: payout.id, provider: 'paypal' },
        },
        tx,
      );
    }

    return moved;
  }

  private isStaff(principal: Principal | undefined): boolean {
    return principal?.kind === 'user' && STAFF_ROLES.includes(principal.role);
  }

  private mayRead(principal: Principal | undefined, payout: Payout): boolean {
    return (
      (principal?.kind === 'user' && payout.ownerId === principal.userId) || this.isStaff(principal)
    );
  }
}
