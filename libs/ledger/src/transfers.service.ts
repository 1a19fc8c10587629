import { Database, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { validate as isUuid } from 'uuid';
import { AccountRepository } from './account.repository';
import {
  AccountNotFoundError,
  BatchTooLargeError,
  InvalidCursorError,
  InvalidTransferError,
  LinkedFailedError,
  PendingExpiredError,
  TransferNotFoundError,
  TransferStateError,
} from './ledger.errors';
import {
  MAX_BATCH_SIZE,
  type BatchTransferInput,
  type Transfer,
  type TransferInput,
  type TransferPage,
  type TransferResult,
  type TransferStatus,
} from './ledger.types';
import { pageSize } from './paging';
import { answerPosted, checkTransfer } from './transfer-answers';
import { TransferEngine } from './transfer-engine';
import { TransferRepository, type TransferPosition } from './transfer.repository';

/** The position a transfer-list cursor (`<created µs>_<id>`) names; anything else is not ours. */
function positionOf(cursor: string): TransferPosition {
  const [, createdMicros, id] = /^(\d{1,16})_(.{36})$/.exec(cursor) ?? [];
  if (!createdMicros || !id || !isUuid(id)) {
    throw new InvalidCursorError();
  }

  return { createdMicros, id };
}

/**
 * Moving money: one transfer, batches, linked chains, and holds (pending transfers) posted or
 * voided. Every method joins the caller's transaction when given one (`outer`), so a business
 * state change and its transfers commit together; join in READ COMMITTED.
 * Lock order (deadlock freedom): transfer rows first (inserted or locked in id order), then
 * balance rows in (account_id, shard) order — see libs/ledger/README.md.
 */
@Injectable()
export class TransfersService {
  constructor(
    private readonly db: Database,
    private readonly accounts: AccountRepository,
    private readonly transfers: TransferRepository,
    private readonly engine: TransferEngine,
  ) {}

  /**
   * One transfer (posted, or pending when `pending`). Idempotent by id: the same id and fields
   * return the stored transfer (in its current state); different fields throw `ledger.id_conflict`.
   */
  async transfer(input: TransferInput, outer?: Tx): Promise<Transfer> {
    checkTransfer(input);

    // One statement, the same checks as a batch of one: without `outer` it is its own
    // transaction (autocommit), which saves the BEGIN/COMMIT round trips of db.transaction.
    return answerPosted(input, await this.transfers.post(outer ?? this.db.manager, input));
  }

  /**
   * Up to MAX_BATCH_SIZE transfers in a constant number of statements, each answered on its own
   * (in input order). `linked: true` chains a transfer with the next: a chain applies whole or
   * not at all; unlinked transfers fail alone.
   */
  async transferMany(inputs: BatchTransferInput[], outer?: Tx): Promise<TransferResult[]> {
    if (inputs.length > MAX_BATCH_SIZE) {
      throw new BatchTooLargeError(inputs.length, MAX_BATCH_SIZE);
    }
    if (!inputs.length) {
      return [];
    }
    const outcomes = await this.db.transaction(outer, (tx) => this.engine.apply(tx, inputs));

    return outcomes.map((outcome, i): TransferResult => {
      const id = inputs[i]!.id;
      if ('error' in outcome) {
        return { id, ok: false, result: outcome.error.code, message: outcome.error.message };
      }

      return {
        id,
        ok: true,
        result: outcome.created ? 'created' : 'already_exists',
        transfer: outcome.transfer,
      };
    });
  }

  /**
   * A multi-leg movement (price + fee, both sides of a trade) as one linked chain: all legs are
   * applied or none. Throws the leg's own error (not `linked_failed`) when the chain fails.
   */
  async transferLinked(inputs: TransferInput[], outer?: Tx): Promise<Transfer[]> {
    if (inputs.length > MAX_BATCH_SIZE) {
      throw new BatchTooLargeError(inputs.length, MAX_BATCH_SIZE);
    }

    return this.db.transaction(outer, async (tx) => {
      const chain = inputs.map((input, i) => ({ ...input, linked: i < inputs.length - 1 }));
      const outcomes = inputs.length ? await this.engine.apply(tx, chain) : [];
      const errors = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
      if (errors.length) {
        throw errors.find((e) => !(e instanceof LinkedFailedError)) ?? errors[0]!;
      }

      return outcomes.map((o) => (o as { transfer: Transfer }).transfer);
    });
  }

  getTransfer(id: string, outer?: Tx): Promise<Transfer | undefined> {
    return this.transfers.findById(outer ?? this.db.manager, id);
  }

  /**
   * An account's transfers on either side, newest first, of one status when given (`pending`:
   * the holds on it): keyset pages, stable while transfers are added.
   */
  async transferPage(
    accountId: string,
    filter: { status?: TransferStatus },
    page: { cursor?: string; limit: number },
    outer?: Tx,
  ): Promise<TransferPage> {
    const before = page.cursor === undefined ? undefined : positionOf(page.cursor);
    const tx = outer ?? this.db.manager;
    const [account] = await this.accounts.findMany(tx, [accountId]);
    if (!account) {
      throw new AccountNotFoundError(accountId);
    }
    const limit = pageSize(page.limit);
    const found = await this.transfers.findPageByAccount(
      tx,
      accountId,
      filter.status,
      before,
      limit + 1,
    );
    const transfers = found.slice(0, limit);
    const last = transfers.at(-1)?.position;

    return {
      transfers: transfers.map((item) => item.transfer),
      ...(found.length > limit && last && { nextCursor: `${last.createdMicros}_${last.id}` }),
    };
  }

  /**
   * Posts a hold (a pending transfer), fully or a smaller amount (the rest of the hold is
   * released). Exactly once: posting again with the same amount returns it; anything else is an
   * error.
   */
  postPending(pendingId: string, opts: { amount?: bigint } = {}, outer?: Tx): Promise<Transfer> {
    return this.db.transaction(outer, async (tx) => {
      const locked = await this.transfers.lock(tx, pendingId);
      if (!locked) {
        throw new TransferNotFoundError(pendingId);
      }
      const { transfer, expired } = locked;
      const amount = opts.amount ?? transfer.amount;
      if (typeof amount !== 'bigint' || amount <= 0n || amount > transfer.amount) {
        throw new InvalidTransferError(
          `Post amount of ${pendingId} must be between 1 and the pending ${transfer.amount}`,
        );
      }
      switch (transfer.status) {
        case 'posted':
          if (transfer.pending && transfer.postedAmount === amount) {
            return transfer;
          }
          throw new TransferStateError(
            pendingId,
            transfer.status,
            transfer.pending
              ? `already posted with ${transfer.postedAmount}`
              : 'it was not created pending',
          );
        case 'voided':
          throw new TransferStateError(pendingId, transfer.status, 'it can no longer be posted');
        case 'pending':
          if (expired) {
            throw new PendingExpiredError(pendingId, transfer.timeoutAt!);
          }

          return (await this.engine.resolvePending(tx, [{ transfer, postedAmount: amount }]))[0]!;
      }
    });
  }

  /** Voids a hold (a pending transfer), releasing its money. Voiding it again returns it. */
  voidPending(pendingId: string, outer?: Tx): Promise<Transfer> {
    return this.db.transaction(outer, async (tx) => {
      const locked = await this.transfers.lock(tx, pendingId);
      if (!locked) {
        throw new TransferNotFoundError(pendingId);
      }
      const { transfer } = locked;
      switch (transfer.status) {
        case 'voided':
          return transfer;
        case 'posted':
          throw new TransferStateError(pendingId, transfer.status, 'it can no longer be voided');
        case 'pending':
          return (await this.engine.resolvePending(tx, [{ transfer }]))[0]!;
      }
    });
  }

  /**
   * For the expiry job (at least once): voids the transfer if it is still pending, otherwise
   * (posted, voided, unknown) does nothing.
   */
  voidIfPending(id: string): Promise<'voided' | 'skipped'> {
    return this.db.transaction(undefined, async (tx) => {
      const locked = await this.transfers.lock(tx, id);
      if (locked?.transfer.status !== 'pending') {
        return 'skipped';
      }
      await this.engine.resolvePending(tx, [{ transfer: locked.transfer }]);

      return 'voided';
    });
  }

  /**
   * For the sweeper: voids up to `limit` pending transfers whose timeout is at or before `now`,
   * in one transaction; returns how many. Call again while it returns `limit`.
   */
  voidExpired(now: Date, limit: number): Promise<number> {
    return this.db.transaction(undefined, async (tx) => {
      const expired = await this.transfers.claimExpired(tx, now, limit);
      if (expired.length) {
        await this.engine.resolvePending(
          tx,
          expired.map((transfer) => ({ transfer })),
        );
      }

      return expired.length;
    });
  }
}
