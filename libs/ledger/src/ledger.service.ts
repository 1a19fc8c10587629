import {
  APP_CONFIG,
  Database,
  driverCodeOf,
  IdempotentRequestInProgressError,
  IdempotentResponse,
  MicroBatcher,
  newId,
  storedAnswer,
  type IdempotentRequest,
  type Tx,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { validate as isUuid, v5 as uuidV5 } from 'uuid';
import { AccountRepository } from './account.repository';
import { InvariantsRepository } from './invariants.repository';
import {
  AccountConflictError,
  AccountFrozenError,
  AccountNotFoundError,
  AssetMismatchError,
  AssetNotFoundError,
  BalanceOverflowError,
  BatchTooLargeError,
  InsufficientFundsError,
  InvalidAccountError,
  InvalidCursorError,
  InvalidTransferError,
  LinkedFailedError,
  PendingExpiredError,
  TransferConflictError,
  TransferNotFoundError,
  TransferStateError,
  WalletExistsError,
} from './ledger.errors';
import {
  ACCOUNT_KINDS,
  MAX_BATCH_SIZE,
  type Account,
  type AccountKind,
  type AccountPage,
  type AccountWithBalance,
  type Asset,
  type BatchTransferInput,
  type CreateAccountInput,
  type InvariantReport,
  type StatementPage,
  type Transfer,
  type TransferInput,
  type TransferPage,
  type TransferResult,
  type TransferStatus,
} from './ledger.types';
import { TransferEngine } from './transfer-engine';
import {
  TransferRepository,
  type BatchedKeyedOutcome,
  type PostKeyedOutcome,
  type PostOutcome,
  type TransferPosition,
} from './transfer.repository';
import { canonicalJson, INT64_MAX, invalidReason, sameTransfer } from './transfer-rules';
import type { LedgerAppConfig } from './ledger.config';

function checkTransfer(input: TransferInput): void {
  const reason = invalidReason(input);
  if (reason) {
    throw new InvalidTransferError(`Transfer ${String(input.id)}: ${reason}`);
  }
}

/** The transfer a post function created or found, or the error for what it refused. */
function answerPosted(input: TransferInput, posted: PostOutcome): Transfer {
  switch (posted.outcome) {
    case 'created':
      return posted.transfer;
    case 'exists':
      if (!sameTransfer(posted.transfer, input)) {
        throw new TransferConflictError(input.id);
      }

      return posted.transfer;
    case 'account_not_found':
      throw new AccountNotFoundError(posted.missingAccount);
    case 'asset_mismatch':
      throw new AssetMismatchError(
        `Transfer ${input.id} in ${input.asset} between a ${posted.debitAsset} and a ${posted.creditAsset} account`,
      );
    case 'insufficient_funds':
      throw new InsufficientFundsError(input.debitAccountId);
    case 'balance_overflow':
      throw new BalanceOverflowError(input.id);
    case 'debit_frozen':
      throw new AccountFrozenError(input.debitAccountId);
    case 'credit_frozen':
      throw new AccountFrozenError(input.creditAccountId);
  }
}

/** A transfer sent with an Idempotency-Key (POST /v1/ledger/transfers). */
interface KeyedTransfer {
  input: TransferInput;
  call: IdempotentRequest;
}

/**
 * A keyed transfer's answer: the stored response (a created transfer's, or a replay), or the
 * transfer the ledger already had under its id (no key stored).
 */
type Keyed = Transfer | IdempotentResponse<Transfer>;

/** What a keyed transfer answers, or the error it throws: settled, so batch members fail alone. */
type KeyedAnswer = { answer: Keyed } | { error: unknown };

async function answerOf(answer: () => Keyed | Promise<Keyed>): Promise<KeyedAnswer> {
  try {
    return { answer: await answer() };
  } catch (error) {
    return { error };
  }
}

/** The answer to a keyed transfer from what ledger_post_transfer_keyed did with it. */
function answerKeyed({ input, call }: KeyedTransfer, posted: PostKeyedOutcome): Keyed {
  if (posted.outcome === 'key_busy') {
    throw new IdempotentRequestInProgressError();
  }
  if (posted.outcome === 'key_used') {
    return new IdempotentResponse(storedAnswer(posted.existing, call.requestHash), true);
  }

  return posted.outcome === 'created'
    ? new IdempotentResponse(posted.response, false, posted.transfer)
    : answerPosted(input, posted);
}

/** Fixed namespace of system account ids: `ensureSystemAccount` derives the same id everywhere. */
const SYSTEM_ACCOUNT_NAMESPACE = '5a0c4f4e-52b4-4a43-9d0b-6c2f6c8e7a10';
/** Fixed namespace of wallet ids: `ensureWallet` derives a user's wallet id from user and asset. */
const WALLET_NAMESPACE = 'c3b1f6d2-8e4a-4f0b-9a57-2d6e1b7c4a93';
const isSystemOwner = (owner: string): boolean => owner.startsWith('system:');
const MAX_PAGE = 1000;
/**
 * Most keyed transfers in one statement. Its members are posted one after another inside it, so
 * this bounds how long its locks are held (well under the statement timeout) and a batch's latency.
 */
const KEYED_BATCH_SIZE = 100;

const pageSize = (limit: number): number => Math.min(Math.max(Math.trunc(limit) || 1, 1), MAX_PAGE);

/** The position a transfer-list cursor (`<created µs>_<id>`) names; anything else is not ours. */
function positionOf(cursor: string): TransferPosition {
  const [, createdMicros, id] = /^(\d{1,16})_(.{36})$/.exec(cursor) ?? [];
  if (!createdMicros || !id || !isUuid(id)) {
    throw new InvalidCursorError();
  }

  return { createdMicros, id };
}

/**
 * The double-entry ledger. Every method joins the caller's transaction when given one (`outer`),
 * so a business state change and its transfers commit together; join in READ COMMITTED.
 * Lock order (deadlock freedom): transfer rows first (inserted or locked in id order), then
 * balance rows in (account_id, shard) order — see libs/ledger/README.md.
 */
@Injectable()
export class LedgerService {
  /**
   * Keyed transfers (the HTTP route's) reach Postgres through this: at most
   * LEDGER_KEYED_TRANSFERS_IN_FLIGHT statements at once, and those that arrive meanwhile are
   * posted together when one returns. Under load a batch costs a few round trips and one commit
   * for many transfers, where each alone costs its own; unloaded, each goes alone at once.
   */
  private readonly keyedTransfers: MicroBatcher<KeyedTransfer, KeyedAnswer>;

  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: LedgerAppConfig,
    private readonly accounts: AccountRepository,
    private readonly transfers: TransferRepository,
    private readonly invariants: InvariantsRepository,
    private readonly engine: TransferEngine,
  ) {
    this.keyedTransfers = new MicroBatcher((items) => this.postKeyed(items), {
      maxSize: KEYED_BATCH_SIZE,
      maxInFlight: config.ledger.keyedTransfersInFlight,
    });
  }

  listAssets(outer?: Tx): Promise<Asset[]> {
    return this.accounts.listAssets(outer ?? this.db.manager);
  }

  getAsset(code: string, outer?: Tx): Promise<Asset | undefined> {
    return this.accounts.findAsset(outer ?? this.db.manager, code);
  }

  /**
   * Idempotent by id: the same id with the same fields returns the existing account. A user wallet
   * belongs to a user (not a `system:` name) and never goes negative; every other kind belongs to
   * a `system:` name. One wallet per user and asset: a second under another id is refused.
   */
  async createAccount(input: CreateAccountInput, outer?: Tx): Promise<Account> {
    const allowNegative = input.allowNegative ?? false;
    if (!ACCOUNT_KINDS.includes(input.kind)) {
      throw new InvalidAccountError(`Unknown account kind ${String(input.kind)}`, 'kind');
    }
    if (input.kind === 'user_wallet' && allowNegative) {
      throw new InvalidAccountError(
        'A user wallet can never be allowed to go negative',
        'allowNegative',
      );
    }
    if (!input.owner) {
      throw new InvalidAccountError('An account needs an owner', 'owner');
    }
    if (input.kind === 'user_wallet' && isSystemOwner(input.owner)) {
      throw new InvalidAccountError(
        `A user wallet belongs to a user id, not to ${input.owner}`,
        'owner',
      );
    }
    if (input.kind !== 'user_wallet' && !isSystemOwner(input.owner)) {
      throw new InvalidAccountError(
        `A ${input.kind} account belongs to a system name (system:<name>), not to a user`,
        'owner',
      );
    }
    const account = {
      id: input.id ?? newId(),
      asset: input.asset,
      owner: input.owner,
      kind: input.kind,
      allowNegative,
      // Allow-negative system accounts are the hot ones: their balance is split into shards.
      shards: allowNegative ? this.config.ledger.hotAccountShards : 1,
      metadata: input.metadata ?? {},
    };

    return this.db.transaction(outer, async (tx) => {
      if (!(await this.accounts.findAsset(tx, input.asset))) {
        throw new AssetNotFoundError(input.asset);
      }
      const created = await this.accounts.insert(tx, account);
      const [stored] = await this.accounts.findMany(tx, [account.id]);
      if (!stored) {
        // Not inserted, and not under this id: the owner's wallet in this asset has another.
        throw new WalletExistsError(account.owner, account.asset);
      }
      const same =
        stored.asset === account.asset &&
        stored.owner === account.owner &&
        stored.kind === account.kind &&
        stored.allowNegative === account.allowNegative &&
        canonicalJson(stored.metadata) === canonicalJson(account.metadata);
      if (!created && !same) {
        throw new AccountConflictError(account.id);
      }

      return stored;
    });
  }

  /**
   * The user's wallet in `asset`, created on first use under an id derived from both, so
   * concurrent calls (two deposits landing at once) end with one wallet. Refuses a user the
   * platform does not know. A wallet an admin opened earlier under another id is the one returned.
   */
  ensureWallet(userId: string, asset: string, outer?: Tx): Promise<Account> {
    return this.db.transaction(outer, async (tx) => {
      await this.requireUser(tx, userId);
      const existing = await this.accounts.findWallet(tx, userId, asset);

      return (
        existing ??
        this.createAccount(
          {
            id: uuidV5(`${userId}:${asset}`, WALLET_NAMESPACE),
            asset,
            owner: userId,
            kind: 'user_wallet',
          },
          tx,
        )
      );
    });
  }

  /** Refuses an owner that is not a user of the platform (a wallet for nobody). */
  async requireUser(tx: Tx, userId: string): Promise<void> {
    if (!isUuid(userId) || !(await this.accounts.userExists(tx, userId))) {
      throw new InvalidAccountError(`There is no user ${userId}`, 'owner');
    }
  }

  /**
   * The allow-negative system account of a kind and asset (house, fees, psp_clearing, …), created
   * on first use. Its id is derived from kind and asset, so every process finds the same one.
   */
  ensureSystemAccount(
    kind: Exclude<AccountKind, 'user_wallet'>,
    asset: string,
    outer?: Tx,
  ): Promise<Account> {
    return this.createAccount(
      {
        id: uuidV5(`${kind}:${asset}`, SYSTEM_ACCOUNT_NAMESPACE),
        asset,
        owner: `system:${kind}`,
        kind,
        allowNegative: true,
      },
      outer,
    );
  }

  /** The account with its balances (posted, pending, available): one indexed read. */
  /**
   * Freezes an account (fraud, a court order, a closed customer) or unfreezes it: while frozen,
   * every new transfer that would debit or credit it is refused with `ledger.account_frozen`, in
   * batches as one at a time. The freeze waits for the transfers in flight on the account, so none
   * that commits after it moves its money; holds placed before it can still be posted or voided.
   */
  setFrozen(id: string, frozen: boolean, outer?: Tx): Promise<AccountWithBalance> {
    return this.db.transaction(outer, async (tx) => {
      if (!(await this.accounts.setFrozen(tx, id, frozen))) {
        throw new AccountNotFoundError(id);
      }

      return (await this.accounts.findWithBalance(tx, id))!;
    });
  }

  getAccount(id: string, outer?: Tx): Promise<AccountWithBalance | undefined> {
    return this.accounts.findWithBalance(outer ?? this.db.manager, id);
  }

  accountsOf(owner: string, outer?: Tx): Promise<AccountWithBalance[]> {
    return this.accounts.findByOwner(outer ?? this.db.manager, owner);
  }

  /** An owner's accounts with balances, a page at a time (id order, keyset on the id). */
  async accountPage(
    filter: { owner: string; asset?: string },
    page: { cursor?: string; limit: number },
    outer?: Tx,
  ): Promise<AccountPage> {
    // Account ids are UUIDs (anything else would fail in Postgres as a 500).
    if (page.cursor !== undefined && !isUuid(page.cursor)) {
      throw new InvalidCursorError();
    }
    const limit = pageSize(page.limit);
    const found = await this.accounts.findPageByOwner(
      outer ?? this.db.manager,
      filter,
      page.cursor,
      limit + 1,
    );
    const accounts = found.slice(0, limit);

    return found.length > limit ? { accounts, nextCursor: accounts.at(-1)!.id } : { accounts };
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

  getTransfer(id: string, outer?: Tx): Promise<Transfer | undefined> {
    return this.transfers.findById(outer ?? this.db.manager, id);
  }

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
   * transfer() for an HTTP call carrying an Idempotency-Key: the key is stored with the transfer
   * it creates, in the same statement and transaction (shared, under load, with the keyed
   * transfers queued beside it: `keyedTransfers`). A key already stored answers
   * with its stored response (or 422 for another body); a key in use by a call still running
   * is a 409. Another call's key is never consulted: the key is the caller's, the id the ledger's.
   */
  async transferKeyed(input: TransferInput, call: IdempotentRequest): Promise<Keyed> {
    checkTransfer(input);
    const answer = await this.keyedTransfers.run({ input, call });
    if ('error' in answer) {
      throw answer.error;
    }

    return answer.answer;
  }

  /**
   * The keyed transfers queued while others were in flight (see `keyedTransfers`): one goes
   * alone; more go in one statement (ledger_post_transfers_keyed), each answered as if it had come
   * alone. Posted alone once it returns, as if they had come just later: a member repeating an
   * earlier one's transfer id or key, and those the statement left out (they touch a hot account).
   * If the statement deadlocks, every member is posted alone (other failures: see MicroBatcher).
   */
  private async postKeyed(items: KeyedTransfer[]): Promise<KeyedAnswer[]> {
    if (items.length === 1) {
      return [await answerOf(() => this.postKeyedAlone(items[0]!))];
    }
    const seen = new Set<string>();
    const batch: number[] = [];
    const alone: number[] = [];
    items.forEach(({ input, call }, i) => {
      const ids = [`id ${input.id}`, `key ${call.scope}\n${call.key}`];
      if (ids.some((id) => seen.has(id))) {
        alone.push(i);
      } else {
        ids.forEach((id) => seen.add(id));
        batch.push(i);
      }
    });
    const answers: KeyedAnswer[] = [];
    let outcomes: BatchedKeyedOutcome[];
    try {
      outcomes = await this.transfers.postKeyedMany(
        this.db.manager,
        batch.map((i) => items[i]!),
        this.config.idempotency.ttlHours,
      );
    } catch (error) {
      if (driverCodeOf(error) !== '40P01') {
        throw error;
      }
      outcomes = batch.map(() => ({ outcome: 'alone' }));
    }
    for (const [j, outcome] of outcomes.entries()) {
      const i = batch[j]!;
      if (outcome.outcome === 'alone') {
        alone.push(i);
      } else {
        answers[i] = await answerOf(() => answerKeyed(items[i]!, outcome));
      }
    }
    await Promise.all(
      alone.map(async (i) => (answers[i] = await answerOf(() => this.postKeyedAlone(items[i]!)))),
    );

    return answers;
  }

  private async postKeyedAlone(item: KeyedTransfer): Promise<Keyed> {
    return answerKeyed(
      item,
      await this.transfers.postKeyed(
        this.db.manager,
        item.input,
        item.call,
        this.config.idempotency.ttlHours,
      ),
    );
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

  /**
   * Posts a pending transfer, fully or a smaller amount (the rest of the hold is released).
   * Exactly once: posting again with the same amount returns it; anything else is an error.
   */
  post(pendingId: string, opts: { amount?: bigint } = {}, outer?: Tx): Promise<Transfer> {
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

  /** Voids a pending transfer, releasing its hold. Voiding it again returns it. */
  void(pendingId: string, outer?: Tx): Promise<Transfer> {
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

  /**
   * An account's journal lines, newest first, each with the posted balance right after it.
   * Keyset pages on the line id: lines committed between page fetches never shift later pages.
   */
  async statement(
    accountId: string,
    page: { cursor?: string; limit: number },
    outer?: Tx,
  ): Promise<StatementPage> {
    // Line ids are positive bigints: anything else was not issued by us (and past 2^63-1 the
    // comparison itself would fail in Postgres).
    if (
      page.cursor !== undefined &&
      !(/^[1-9]\d{0,18}$/.test(page.cursor) && BigInt(page.cursor) <= INT64_MAX)
    ) {
      throw new InvalidCursorError();
    }
    const limit = pageSize(page.limit);
    const tx = outer ?? this.db.manager;
    const [account] = await this.accounts.findMany(tx, [accountId]);
    if (!account) {
      throw new AccountNotFoundError(accountId);
    }
    const before = page.cursor === undefined ? undefined : BigInt(page.cursor);
    const found = await this.transfers.statement(
      tx,
      accountId,
      account.shards > 1,
      before,
      limit + 1,
    );
    const entries = found.slice(0, limit);

    return found.length > limit ? { entries, nextCursor: entries.at(-1)!.id } : { entries };
  }

  /** Checks every invariant of the ledger in one consistent snapshot. */
  verifyInvariants(outer?: Tx): Promise<InvariantReport> {
    return this.db.transaction(
      outer,
      async (tx) => {
        const checkedAt = new Date();
        const accountsChecked = await this.invariants.accountCount(tx);
        const unbalancedAssets = await this.invariants.unbalancedAssets(tx);
        const balanceEntryMismatches = await this.invariants.balanceEntryMismatches(tx);
        const pendingMismatches = await this.invariants.pendingMismatches(tx);
        const orphanTransfers = await this.invariants.orphanTransfers(tx);
        const misfiledEntries = await this.invariants.misfiledEntries(tx);
        const negativeAccounts = await this.invariants.negativeAccounts(tx);
        // The sweeper runs every interval; a hold expired for less than two of them is not late.
        const expiredPending = await this.invariants.expiredPending(
          tx,
          2 * this.config.ledger.pendingSweepIntervalSeconds,
        );
        const ok =
          !unbalancedAssets.length &&
          !balanceEntryMismatches.length &&
          !pendingMismatches.length &&
          !orphanTransfers.length &&
          !misfiledEntries.length &&
          !negativeAccounts.length &&
          !expiredPending.length;

        return {
          ok,
          checkedAt,
          accountsChecked,
          unbalancedAssets,
          balanceEntryMismatches,
          pendingMismatches,
          orphanTransfers,
          misfiledEntries,
          negativeAccounts,
          expiredPending,
        };
      },
      'REPEATABLE READ',
    );
  }
}
