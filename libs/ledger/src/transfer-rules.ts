import type { BatchTransferInput, Transfer, TransferInput } from './ledger.types';

/** The largest value of a Postgres bigint: no amount or balance counter may exceed it. */
export const INT64_MAX = 9_223_372_036_854_775_807n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Splits a batch into linked chains (TigerBeetle: a chain runs up to and including the first
 * member without `linked`). `open` is set when the batch ends inside a chain.
 */
export function chainsOf(inputs: readonly Pick<BatchTransferInput, 'linked'>[]): {
  chains: number[][];
  open?: number[];
} {
  const chains: number[][] = [];
  let current: number[] = [];
  inputs.forEach((input, index) => {
    current.push(index);
    if (!input.linked) {
      chains.push(current);
      current = [];
    }
  });

  return current.length ? { chains, open: current } : { chains };
}

/** What is wrong with a transfer on its face (before looking at accounts), if anything. */
export function invalidReason(input: TransferInput): string | undefined {
  if (typeof input.id !== 'string' || !UUID.test(input.id)) {
    return 'id must be a UUID';
  }
  if (typeof input.amount !== 'bigint' || input.amount <= 0n || input.amount > INT64_MAX) {
    return 'amount must be a bigint between 1 and 2^63-1 minor units';
  }
  if (!UUID.test(input.debitAccountId) || !UUID.test(input.creditAccountId)) {
    return 'account ids must be UUIDs';
  }
  if (input.debitAccountId === input.creditAccountId) {
    return 'debit and credit accounts must differ';
  }
  if (!input.code) {
    return 'code is required';
  }
  if (input.timeoutSeconds !== undefined) {
    if (!input.pending) {
      return 'timeoutSeconds is only for pending transfers';
    }
    if (!Number.isInteger(input.timeoutSeconds) || input.timeoutSeconds <= 0) {
      return 'timeoutSeconds must be a positive integer';
    }
  }

  return undefined;
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` (jsonb reorders keys) compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Whether a retry carries the same fields as the stored transfer (then it is the same transfer). */
export function sameTransfer(existing: Transfer, input: TransferInput): boolean {
  return (
    existing.debitAccountId === input.debitAccountId &&
    existing.creditAccountId === input.creditAccountId &&
    existing.amount === input.amount &&
    existing.asset === input.asset &&
    existing.code === input.code &&
    existing.pending === Boolean(input.pending) &&
    existing.timeoutSeconds === input.timeoutSeconds &&
    canonicalJson(existing.metadata) === canonicalJson(input.metadata ?? {})
  );
}

/** The four counters of one balance row (or of one shard of a sharded account). */
export interface Counters {
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

/** One transfer to apply, with the balance rows it touches. */
export interface Movement {
  index: number;
  debitRow: string;
  creditRow: string;
  /** The debit account may not go below zero (not allow-negative). */
  debitChecked: boolean;
  amount: bigint;
  pending: boolean;
}

/** A journal line produced by a posted movement. */
export interface Line {
  index: number;
  row: string;
  /** Signed: credit +, debit -. */
  amount: bigint;
  /** Posted balance of the row after the line (exact for unsharded accounts). */
  balanceAfter: bigint;
}

const posted = (c: Counters): bigint => c.creditsPosted - c.debitsPosted;
/** Whether a counter has passed what its bigint column holds. */
export const overflows = (c: Counters): boolean =>
  c.debitsPosted > INT64_MAX ||
  c.creditsPosted > INT64_MAX ||
  c.debitsPending > INT64_MAX ||
  c.creditsPending > INT64_MAX;
const available = (c: Counters): bigint => c.creditsPosted - c.debitsPosted - c.debitsPending;

/** Why applyInOrder refused a movement. */
export type Refusal = 'account_frozen' | 'insufficient_funds' | 'balance_overflow';

/**
 * Applies movements in batch order, chain by chain, to running copies of the locked balance
 * rows: each debit of a checked account sees every earlier debit of the batch. A chain whose
 * member touches a `frozen` row, lacks funds or would overflow a counter is undone as a whole.
 * Returns the indexes refused and why, the indexes of chains they sank, and the journal lines of
 * what was applied.
 */
export function applyInOrder(
  chains: readonly (readonly Movement[])[],
  rows: Map<string, Counters>,
  frozen: ReadonlySet<string>,
): {
  refused: Map<number, Refusal>;
  sunk: Set<number>;
  lines: Line[];
} {
  const refused = new Map<number, Refusal>();
  const sunk = new Set<number>();
  const lines: Line[] = [];
  for (const chain of chains) {
    const saved = new Map<string, Counters>();
    const linesBefore = lines.length;
    const save = (row: string): Counters => {
      const counters = rows.get(row);
      if (!counters) {
        throw new Error(`balance row ${row} was not locked`);
      }
      if (!saved.has(row)) {
        saved.set(row, { ...counters });
      }

      return counters;
    };
    let failed: number | undefined;
    for (const m of chain) {
      const debit = save(m.debitRow);
      const credit = save(m.creditRow);
      if (frozen.has(m.debitRow) || frozen.has(m.creditRow)) {
        failed = m.index;
        refused.set(m.index, 'account_frozen');
        break;
      }
      if (m.debitChecked && available(debit) < m.amount) {
        failed = m.index;
        refused.set(m.index, 'insufficient_funds');
        break;
      }
      if (m.pending) {
        debit.debitsPending += m.amount;
        credit.creditsPending += m.amount;
      } else {
        debit.debitsPosted += m.amount;
        credit.creditsPosted += m.amount;
      }
      if (overflows(debit) || overflows(credit)) {
        failed = m.index;
        refused.set(m.index, 'balance_overflow');
        break;
      }
      if (!m.pending) {
        lines.push({
          index: m.index,
          row: m.debitRow,
          amount: -m.amount,
          balanceAfter: posted(debit),
        });
        lines.push({
          index: m.index,
          row: m.creditRow,
          amount: m.amount,
          balanceAfter: posted(credit),
        });
      }
    }
    if (failed !== undefined) {
      saved.forEach((counters, row) => rows.set(row, counters));
      lines.length = linesBefore;
      chain.forEach((m) => m.index !== failed && sunk.add(m.index));
    }
  }

  return { refused, sunk, lines };
}

/** Net change per row between two snapshots, only for rows that changed. */
export function deltas(
  before: Map<string, Counters>,
  after: Map<string, Counters>,
): Map<string, Counters> {
  const out = new Map<string, Counters>();
  after.forEach((a, row) => {
    const b = before.get(row)!;
    const d = {
      debitsPosted: a.debitsPosted - b.debitsPosted,
      creditsPosted: a.creditsPosted - b.creditsPosted,
      debitsPending: a.debitsPending - b.debitsPending,
      creditsPending: a.creditsPending - b.creditsPending,
    };
    if (d.debitsPosted || d.creditsPosted || d.debitsPending || d.creditsPending) {
      out.set(row, d);
    }
  });

  return out;
}
