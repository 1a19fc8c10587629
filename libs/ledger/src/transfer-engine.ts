import type { Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { AccountRepository, type BalanceChange } from './account.repository';
import {
  AccountFrozenError,
  AccountNotFoundError,
  AssetMismatchError,
  BalanceOverflowError,
  InsufficientFundsError,
  InvalidTransferError,
  LinkedChainOpenError,
  LinkedFailedError,
  TransferConflictError,
  type TransferError,
} from './ledger.errors';
import type { Account, BatchTransferInput, Transfer, TransferInput } from './ledger.types';
import { TransferRepository, type NewEntry } from './transfer.repository';
import {
  applyInOrder,
  chainsOf,
  deltas,
  invalidReason,
  overflows,
  sameTransfer,
  type Counters,
  type Line,
  type Movement,
  type Refusal,
} from './transfer-rules';

/** A batch member's result: applied now (`created`), found already applied, or refused. */
export type Outcome = { created: boolean; transfer: Transfer } | { error: TransferError };

const rowKey = (accountId: string, shard: number): string => `${accountId}:${shard}`;
const unique = <T>(items: T[]): T[] => [...new Set(items)];

/**
 * The set-based core under TransfersService: applies batches of transfers and resolves holds
 * against balance rows it locks in (account_id, shard) order, inside the caller's transaction.
 * The rules themselves (chains, funds, overflow) are the pure functions of transfer-rules.ts.
 */
@Injectable()
export class TransferEngine {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly transfers: TransferRepository,
  ) {}

  /**
   * Applies a batch of transfers in order: a constant number of statements whatever the batch size:
   * 1. reject malformed members and close chains (no SQL);
   * 2. read every account touched (1 query): existence and asset;
   * 3. insert the surviving transfers, ON CONFLICT DO NOTHING (1): a duplicate id waits for its
   *    owner's commit, then is compared with the stored transfer (1 more, only if any);
   * 4. lock the touched balance rows in (account_id, shard) order (1) and apply the batch in
   *    order in TypeScript with bigint, so a debit sees every earlier debit of the same account;
   *    a chain short of funds is undone whole;
   * 5. delete refused inserts (0-1), add net deltas per row (1), append journal lines (0-1).
   */
  async apply(tx: Tx, inputs: BatchTransferInput[]): Promise<Outcome[]> {
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
      const { before, running, frozen, tids } = await this.lockRows(tx, rows.keys());
      const applied = applyInOrder(movements, running, frozen);
      applied.refused.forEach((reason, i) => {
        const input = inputs[i]!;
        errors.set(i, refusalError(reason, input, frozen.has(rows.of(input.debitAccountId))));
      });
      applied.sunk.forEach((i) => errors.set(i, new LinkedFailedError(inputs[i]!.id)));
      lines = applied.lines;
      await this.transfers.deleteMany(
        tx,
        candidates
          .filter((i) => inserted.has(inputs[i]!.id) && errors.has(i))
          .map((i) => inputs[i]!.id),
      );
      await this.accounts.addToBalances(tx, balanceChanges(before, running, tids));
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
  async resolvePending(
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
    const { before, running, tids } = await this.lockRows(tx, rows.keys());
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
    await this.accounts.addToBalances(tx, balanceChanges(before, running, tids));
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

  /**
   * Locks the rows (in order) and returns their counters, a working copy to apply to, and the
   * tids to write the changes back by.
   */
  private async lockRows(
    tx: Tx,
    keys: { accountId: string; shard: number }[],
  ): Promise<{
    before: Map<string, Counters>;
    running: Map<string, Counters>;
    frozen: Set<string>;
    tids: Map<string, string>;
  }> {
    const locked = await this.accounts.lockBalances(tx, keys);
    if (locked.length !== keys.length) {
      throw new Error(`Expected ${keys.length} balance rows, locked ${locked.length}`);
    }
    const before = new Map<string, Counters>();
    const running = new Map<string, Counters>();
    const frozen = new Set<string>();
    const tids = new Map<string, string>();
    for (const { accountId, shard, frozen: isFrozen, tid, ...counters } of locked) {
      const key = rowKey(accountId, shard);
      before.set(key, counters);
      running.set(key, { ...counters });
      tids.set(key, tid);
      if (isFrozen) {
        frozen.add(key);
      }
    }

    return { before, running, frozen, tids };
  }
}

function refusalError(reason: Refusal, input: TransferInput, debitFrozen: boolean): TransferError {
  switch (reason) {
    case 'account_frozen':
      return new AccountFrozenError(debitFrozen ? input.debitAccountId : input.creditAccountId);
    case 'insufficient_funds':
      return new InsufficientFundsError(input.debitAccountId);
    case 'balance_overflow':
      return new BalanceOverflowError(input.id);
  }
}

function balanceChanges(
  before: Map<string, Counters>,
  after: Map<string, Counters>,
  tids: Map<string, string>,
): BalanceChange[] {
  return [...deltas(before, after)].map(([key, counters]) => {
    const [accountId, shard] = key.split(':');

    return { accountId: accountId!, shard: Number(shard), tid: tids.get(key)!, ...counters };
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
