import { APP_CONFIG, Database, newId, type AppConfig, type Tx } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import { AccountRepository, type BalanceRow } from './account.repository';
import { InvariantsRepository } from './invariants.repository';
import {
  AccountConflictError,
  AccountNotFoundError,
  AssetMismatchError,
  AssetNotFoundError,
  BalanceOverflowError,
  BatchTooLargeError,
  InsufficientFundsError,
  InvalidAccountError,
  InvalidCursorError,
  InvalidTransferError,
  LinkedChainOpenError,
  LinkedFailedError,
  PendingExpiredError,
  TransferConflictError,
  TransferNotFoundError,
  TransferStateError,
  type TransferError,
} from './ledger.errors';
import {
  ACCOUNT_KINDS,
  MAX_BATCH_SIZE,
  type Account,
  type AccountKind,
  type AccountWithBalance,
  type Asset,
  type BatchTransferInput,
  type CreateAccountInput,
  type InvariantReport,
  type StatementPage,
  type Transfer,
  type TransferInput,
  type TransferResult,
} from './ledger.types';
import { TransferRepository, type NewEntry } from './transfer.repository';
import {
  applyInOrder,
  canonicalJson,
  chainsOf,
  deltas,
  INT64_MAX,
  invalidReason,
  overflows,
  sameTransfer,
  type Counters,
  type Line,
  type Movement,
} from './transfer-rules';

/** Fixed namespace of system account ids: `ensureSystemAccount` derives the same id everywhere. */
const SYSTEM_ACCOUNT_NAMESPACE = '5a0c4f4e-52b4-4a43-9d0b-6c2f6c8e7a10';
const MAX_STATEMENT_PAGE = 1000;

type Outcome = { created: boolean; transfer: Transfer } | { error: TransferError };

const rowKey = (accountId: string, shard: number): string => `${accountId}:${shard}`;
const unique = <T>(items: T[]): T[] => [...new Set(items)];

/**
 * The double-entry ledger. Every method joins the caller's transaction when given one (`outer`),
 * so a business state change and its transfers commit together; join in READ COMMITTED.
 * Lock order (deadlock freedom): transfer rows first (inserted or locked in id order), then
 * balance rows in (account_id, shard) order — see libs/ledger/README.md.
 */
@Injectable()
export class LedgerService {
  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountRepository,
    private readonly transfers: TransferRepository,
    private readonly invariants: InvariantsRepository,
  ) {}

  listAssets(outer?: Tx): Promise<Asset[]> {
    return this.accounts.listAssets(outer ?? this.db.manager);
  }

  getAsset(code: string, outer?: Tx): Promise<Asset | undefined> {
    return this.accounts.findAsset(outer ?? this.db.manager, code);
  }

  /** Idempotent by id: the same id with the same fields returns the existing account. */
  async createAccount(input: CreateAccountInput, outer?: Tx): Promise<Account> {
    const allowNegative = input.allowNegative ?? false;
    if (!ACCOUNT_KINDS.includes(input.kind)) {
      throw new InvalidAccountError(`Unknown account kind ${String(input.kind)}`);
    }
    if (input.kind === 'user_wallet' && allowNegative) {
      throw new InvalidAccountError('A user wallet can never be allowed to go negative');
    }
    if (!input.owner) {
      throw new InvalidAccountError('An account needs an owner');
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
      const same =
        stored!.asset === account.asset &&
        stored!.owner === account.owner &&
        stored!.kind === account.kind &&
        stored!.allowNegative === account.allowNegative &&
        canonicalJson(stored!.metadata) === canonicalJson(account.metadata);
      if (!created && !same) {
        throw new AccountConflictError(account.id);
      }

      return stored!;
    });
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
  getAccount(id: string, outer?: Tx): Promise<AccountWithBalance | undefined> {
    return this.accounts.findWithBalance(outer ?? this.db.manager, id);
  }

  accountsOf(owner: string, outer?: Tx): Promise<AccountWithBalance[]> {
    return this.accounts.findByOwner(outer ?? this.db.manager, owner);
  }

  getTransfer(id: string, outer?: Tx): Promise<Transfer | undefined> {
    return this.transfers.findById(outer ?? this.db.manager, id);
  }

  /**
   * One transfer (posted, or pending when `pending`). Idempotent by id: the same id and fields
   * return the stored transfer (in its current state); different fields throw `ledger.id_conflict`.
   */
  async transfer(input: TransferInput, outer?: Tx): Promise<Transfer> {
    const reason = invalidReason(input);
    if (reason) {
      throw new InvalidTransferError(`Transfer ${String(input.id)}: ${reason}`);
    }
    // One statement, the same checks as a batch of one: without `outer` it is its own
    // transaction (autocommit), which saves the BEGIN/COMMIT round trips of db.transaction.
    const posted = await this.transfers.post(outer ?? this.db.manager, input);
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
    }
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
    const outcomes = await this.db.transaction(outer, (tx) => this.applyBatch(tx, inputs));

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
      const outcomes = inputs.length ? await this.applyBatch(tx, chain) : [];
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

          return (await this.resolvePending(tx, [{ transfer, postedAmount: amount }]))[0]!;
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
          return (await this.resolvePending(tx, [{ transfer }]))[0]!;
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
      await this.resolvePending(tx, [{ transfer: locked.transfer }]);

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
        await this.resolvePending(
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
    const limit = Math.min(Math.max(Math.trunc(page.limit) || 1, 1), MAX_STATEMENT_PAGE);
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

  /**
   * The batch algorithm, a constant number of statements whatever the batch size:
   * 1. reject malformed members and close chains (no SQL);
   * 2. read every account touched (1 query): existence and asset;
   * 3. insert the surviving transfers, ON CONFLICT DO NOTHING (1): a duplicate id waits for its
   *    owner's commit, then is compared with the stored transfer (1 more, only if any);
   * 4. lock the touched balance rows in (account_id, shard) order (1) and apply the batch in
   *    order in TypeScript with bigint, so a debit sees every earlier debit of the same account;
   *    a chain short of funds is undone whole;
   * 5. delete refused inserts (0-1), add net deltas per row (1), append journal lines (0-1).
   */
  private async applyBatch(tx: Tx, inputs: BatchTransferInput[]): Promise<Outcome[]> {
    const errors = new Map<number, TransferError>();
    const existing = new Map<number, Transfer>();
    const { chains, open } = chainsOf(inputs);
    const chainOf: number[][] = [];
    for (const chain of open ? [...chains, open] : chains) {
      chain.forEach((i) => (chainOf[i] = chain));
    }
    // A member's failure sinks every other member of its chain that has no error of its own.
    const fail = (i: number, error: TransferError): void => {
      errors.set(i, error);
      for (const j of chainOf[i]!) {
        if (!errors.has(j)) {
          errors.set(j, new LinkedFailedError(inputs[j]!.id));
        }
      }
    };
    const live = (): number[] => inputs.flatMap((_, i) => (errors.has(i) ? [] : [i]));

    if (open) {
      fail(open.at(-1)!, new LinkedChainOpenError());
    }
    const seen = new Set<string>();
    for (const i of live()) {
      const input = inputs[i]!;
      const reason =
        invalidReason(input) ?? (seen.has(input.id) ? 'id repeated within the batch' : undefined);
      seen.add(input.id);
      if (reason && !errors.has(i)) {
        fail(i, new InvalidTransferError(`Transfer ${String(input.id)}: ${reason}`));
      }
    }

    const accountIds = unique(
      live().flatMap((i) => [inputs[i]!.debitAccountId, inputs[i]!.creditAccountId]),
    );
    const accounts = new Map(
      (accountIds.length ? await this.accounts.findMany(tx, accountIds) : []).map((a) => [a.id, a]),
    );
    for (const i of live()) {
      const input = inputs[i]!;
      const debit = accounts.get(input.debitAccountId);
      const credit = accounts.get(input.creditAccountId);
      if (errors.has(i)) {
        continue;
      } else if (!debit || !credit) {
        fail(i, new AccountNotFoundError(debit ? input.creditAccountId : input.debitAccountId));
      } else if (debit.asset !== input.asset || credit.asset !== input.asset) {
        fail(
          i,
          new AssetMismatchError(
            `Transfer ${input.id} in ${input.asset} between a ${debit.asset} and a ${credit.asset} account`,
          ),
        );
      }
    }

    const candidates = live();
    const inserted = new Map(
      (
        await this.transfers.insertMany(
          tx,
          candidates.map((i) => inputs[i]!),
        )
      ).map((t) => [t.id, t]),
    );
    const taken = candidates.filter((i) => !inserted.has(inputs[i]!.id));
    if (taken.length) {
      const stored = new Map(
        (
          await this.transfers.findMany(
            tx,
            taken.map((i) => inputs[i]!.id),
          )
        ).map((t) => [t.id, t]),
      );
      for (const i of taken) {
        const transfer = stored.get(inputs[i]!.id);
        if (!transfer) {
          // The conflicting row is gone only if its transaction deleted it and we inserted after
          // all; ON CONFLICT waited for that commit, so this cannot happen.
          throw new Error(`Transfer ${inputs[i]!.id} conflicted but is not stored`);
        }
        if (sameTransfer(transfer, inputs[i]!)) {
          existing.set(i, transfer);
        } else {
          fail(i, new TransferConflictError(inputs[i]!.id));
        }
      }
      // A chain partly recorded already (ids reused across chains) cannot be applied atomically.
      for (const i of existing.keys()) {
        for (const j of chainOf[i]!) {
          if (!existing.has(j) && !errors.has(j)) {
            errors.set(j, new LinkedFailedError(inputs[j]!.id));
          }
        }
      }
    }

    const toApply = new Set(
      candidates.filter((i) => inserted.has(inputs[i]!.id) && !errors.has(i)),
    );
    let lines: Line[] = [];
    if (toApply.size) {
      const rows = this.shardChooser(accounts);
      const movements = chains
        .map((chain) =>
          chain
            .filter((i) => toApply.has(i))
            .map((i): Movement => {
              const input = inputs[i]!;

              return {
                index: i,
                debitRow: rows.of(input.debitAccountId),
                creditRow: rows.of(input.creditAccountId),
                debitChecked: !accounts.get(input.debitAccountId)!.allowNegative,
                amount: input.amount,
                pending: Boolean(input.pending),
              };
            }),
        )
        .filter((chain) => chain.length);
      const { before, running } = await this.lockRows(tx, rows.keys());
      const applied = applyInOrder(movements, running);
      applied.refused.forEach((reason, i) =>
        errors.set(
          i,
          reason === 'insufficient_funds'
            ? new InsufficientFundsError(inputs[i]!.debitAccountId)
            : new BalanceOverflowError(inputs[i]!.id),
        ),
      );
      applied.sunk.forEach((i) => errors.set(i, new LinkedFailedError(inputs[i]!.id)));
      lines = applied.lines;
      await this.transfers.deleteMany(
        tx,
        candidates
          .filter((i) => inserted.has(inputs[i]!.id) && errors.has(i))
          .map((i) => inputs[i]!.id),
      );
      await this.accounts.addToBalances(tx, balanceChanges(before, running));
    }
    await this.transfers.insertEntries(
      tx,
      lines.map((line) => entryOf(line, inputs[line.index]!, accounts)),
    );

    return inputs.map((input, i): Outcome => {
      const found = existing.get(i);
      if (found) {
        return { created: false, transfer: found };
      }
      const error = errors.get(i);

      return error ? { error } : { created: true, transfer: inserted.get(input.id)! };
    });
  }

  /** Posts (with `postedAmount`) or voids locked pending transfers, set-based. */
  private async resolvePending(
    tx: Tx,
    items: { transfer: Transfer; postedAmount?: bigint }[],
  ): Promise<Transfer[]> {
    const accounts = new Map(
      (
        await this.accounts.findMany(
          tx,
          unique(items.flatMap(({ transfer: t }) => [t.debitAccountId, t.creditAccountId])),
        )
      ).map((a) => [a.id, a]),
    );
    const rows = this.shardChooser(accounts);
    const keyed = items.map((item) => ({
      ...item,
      debitRow: rows.of(item.transfer.debitAccountId),
      creditRow: rows.of(item.transfer.creditAccountId),
    }));
    const { before, running } = await this.lockRows(tx, rows.keys());
    const lines: { line: Line; transfer: Transfer }[] = [];
    keyed.forEach(({ transfer, postedAmount, debitRow, creditRow }, index) => {
      // Releasing a hold and posting never lowers an available balance: no check needed.
      const debit = running.get(debitRow)!;
      const credit = running.get(creditRow)!;
      debit.debitsPending -= transfer.amount;
      credit.creditsPending -= transfer.amount;
      if (postedAmount !== undefined) {
        debit.debitsPosted += postedAmount;
        credit.creditsPosted += postedAmount;
        lines.push(
          {
            transfer,
            line: {
              index,
              row: debitRow,
              amount: -postedAmount,
              balanceAfter: debit.creditsPosted - debit.debitsPosted,
            },
          },
          {
            transfer,
            line: {
              index,
              row: creditRow,
              amount: postedAmount,
              balanceAfter: credit.creditsPosted - credit.debitsPosted,
            },
          },
        );
      }
      if (overflows(debit) || overflows(credit)) {
        throw new BalanceOverflowError(transfer.id);
      }
    });
    const resolved = new Map(
      (
        await this.transfers.resolve(
          tx,
          items.map(({ transfer, postedAmount }) => ({ id: transfer.id, postedAmount })),
        )
      ).map((t) => [t.id, t]),
    );
    await this.accounts.addToBalances(tx, balanceChanges(before, running));
    await this.transfers.insertEntries(
      tx,
      lines.map(({ line, transfer }) => entryOf(line, transfer, accounts)),
    );

    return items.map(({ transfer }) => resolved.get(transfer.id)!);
  }

  /**
   * Picks the balance row each account is written to in this transaction: shard 0 for an
   * unsharded account; for a sharded one a random shard, the same for all its transfers of the
   * batch (one row lock per account, and concurrent batches spread over the shards).
   */
  private shardChooser(accounts: Map<string, Account>): {
    of: (accountId: string) => string;
    keys: () => { accountId: string; shard: number }[];
  } {
    const chosen = new Map<string, number>();

    return {
      of: (accountId) => {
        let shard = chosen.get(accountId);
        if (shard === undefined) {
          const { shards } = accounts.get(accountId)!;
          shard = shards > 1 ? randomInt(shards) : 0;
          chosen.set(accountId, shard);
        }

        return rowKey(accountId, shard);
      },
      keys: () => [...chosen].map(([accountId, shard]) => ({ accountId, shard })),
    };
  }

  /** Locks the rows (in order) and returns their counters, plus a working copy to apply to. */
  private async lockRows(
    tx: Tx,
    keys: { accountId: string; shard: number }[],
  ): Promise<{ before: Map<string, Counters>; running: Map<string, Counters> }> {
    const locked = await this.accounts.lockBalances(tx, keys);
    if (locked.length !== keys.length) {
      throw new Error(`Expected ${keys.length} balance rows, locked ${locked.length}`);
    }
    const before = new Map<string, Counters>();
    const running = new Map<string, Counters>();
    for (const { accountId, shard, ...counters } of locked) {
      before.set(rowKey(accountId, shard), counters);
      running.set(rowKey(accountId, shard), { ...counters });
    }

    return { before, running };
  }
}

function balanceChanges(before: Map<string, Counters>, after: Map<string, Counters>): BalanceRow[] {
  return [...deltas(before, after)].map(([key, counters]) => {
    const [accountId, shard] = key.split(':');

    return { accountId: accountId!, shard: Number(shard), ...counters };
  });
}

/** A journal line; balance_after only where one row holds the whole balance. */
function entryOf(
  line: Line,
  transfer: Pick<Transfer, 'id' | 'asset'>,
  accounts: Map<string, Account>,
): NewEntry {
  const accountId = line.row.split(':')[0]!;

  return {
    transferId: transfer.id,
    accountId,
    asset: transfer.asset,
    amount: line.amount,
    balanceAfter: accounts.get(accountId)!.shards > 1 ? null : line.balanceAfter,
  };
}
