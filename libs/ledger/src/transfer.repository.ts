import {
  rows,
  toStoredKey,
  uniqueViolationOf,
  type IdempotentRequest,
  type KeyRow,
  type StoredKey,
  type StoredResponse,
  type Tx,
} from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { StatementEntry, Transfer, TransferInput, TransferStatus } from './ledger.types';

interface TransferRow {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  asset: string;
  amount: string;
  postedAmount: string | null;
  code: string;
  metadata: Record<string, unknown>;
  status: TransferStatus;
  pending: boolean;
  timeoutSeconds: number | null;
  timeoutAt: Date | null;
  createdAt: Date;
  postedAt: Date | null;
  voidedAt: Date | null;
}

const TRANSFER = `t.id, t.debit_account_id AS "debitAccountId", t.credit_account_id AS "creditAccountId",
  t.asset, t.amount, t.posted_amount AS "postedAmount", t.code, t.metadata, t.status,
  t.two_phase AS "pending", t.timeout_seconds AS "timeoutSeconds", t.timeout_at AS "timeoutAt",
  t.created_at AS "createdAt", t.posted_at AS "postedAt", t.voided_at AS "voidedAt"`;

const toTransfer = (r: TransferRow): Transfer => ({
  id: r.id,
  debitAccountId: r.debitAccountId,
  creditAccountId: r.creditAccountId,
  asset: r.asset,
  amount: BigInt(r.amount),
  ...(r.postedAmount !== null && { postedAmount: BigInt(r.postedAmount) }),
  code: r.code,
  metadata: r.metadata,
  status: r.status,
  pending: r.pending,
  ...(r.timeoutSeconds !== null && { timeoutSeconds: r.timeoutSeconds }),
  ...(r.timeoutAt && { timeoutAt: r.timeoutAt }),
  createdAt: r.createdAt,
  ...(r.postedAt && { postedAt: r.postedAt }),
  ...(r.voidedAt && { voidedAt: r.voidedAt }),
});

/** Where a transfer sits in an account's newest-first list: its creation time in µs, then id. */
export interface TransferPosition {
  createdMicros: string;
  id: string;
}

/** A journal line to write. */
export interface NewEntry {
  transferId: string;
  accountId: string;
  asset: string;
  /** Signed: credit +, debit -. */
  amount: bigint;
  /** NULL for sharded accounts (see the migration). */
  balanceAfter: bigint | null;
}

/** What `ledger_post_transfer` did with one transfer (see its migration). */
export type PostOutcome =
  | { outcome: 'created' | 'exists'; transfer: Transfer }
  | { outcome: 'account_not_found'; missingAccount: string }
  | { outcome: 'asset_mismatch'; debitAsset: string; creditAsset: string }
  | { outcome: 'insufficient_funds' | 'balance_overflow' | 'debit_frozen' | 'credit_frozen' };

/**
 * What ledger_post_transfer_keyed did: a transfer it created comes with the answer stored under the
 * key (the bytes to send); or the key is in use by a call still running, or already stored.
 */
export type PostKeyedOutcome =
  | Exclude<PostOutcome, { transfer: Transfer }>
  | { outcome: 'exists'; transfer: Transfer }
  | { outcome: 'created'; transfer: Transfer; response: StoredResponse }
  | { outcome: 'key_busy' }
  | { outcome: 'key_used'; existing: StoredKey };

/** A member of ledger_post_transfers_keyed's batch that it left to be posted on its own. */
export type BatchedKeyedOutcome = PostKeyedOutcome | { outcome: 'alone' };

type PostRow = TransferRow & {
  outcome: PostOutcome['outcome'] | 'key_busy' | 'key_used' | 'alone';
  missingAccount: string | null;
  debitAsset: string | null;
  creditAsset: string | null;
};

/** The columns of a post function's outcome, its transfer as `t`. */
const POSTED = `f.outcome, f.missing_account AS "missingAccount", f.debit_asset AS "debitAsset",
  f.credit_asset AS "creditAsset", ${TRANSFER}`;

/** POSTED and the key columns of a keyed post function: the stored answer, or the one it stored. */
const POSTED_KEYED = `${POSTED}, f.key_request_hash AS request_hash, f.response_status,
  f.response_body`;

const keyParams = (call: IdempotentRequest): unknown[] => [
  call.scope,
  call.key,
  call.method,
  call.path,
  call.requestHash,
];

const transferParams = (input: TransferInput): unknown[] => [
  input.id,
  input.debitAccountId,
  input.creditAccountId,
  input.asset,
  input.amount.toString(),
  input.code,
  JSON.stringify(input.metadata ?? {}),
  Boolean(input.pending),
  input.timeoutSeconds ?? null,
];

function toPostOutcome(row: PostRow): PostOutcome {
  switch (row.outcome) {
    case 'created':
    case 'exists':
      return { outcome: row.outcome, transfer: toTransfer(row) };
    case 'account_not_found':
      return { outcome: row.outcome, missingAccount: row.missingAccount! };
    case 'asset_mismatch':
      return { outcome: row.outcome, debitAsset: row.debitAsset!, creditAsset: row.creditAsset! };
    case 'insufficient_funds':
    case 'balance_overflow':
    case 'debit_frozen':
    case 'credit_frozen':
      return { outcome: row.outcome };
    case 'key_busy':
    case 'key_used':
    case 'alone':
      throw new Error(`ledger_post_transfer answered ${row.outcome} without a key`);
  }
}

function toPostKeyedOutcome(row: PostRow & KeyRow): PostKeyedOutcome {
  if (row.outcome === 'key_busy') {
    return { outcome: 'key_busy' };
  }
  if (row.outcome === 'key_used') {
    return { outcome: 'key_used', existing: toStoredKey(row) };
  }
  if (row.outcome === 'created') {
    return { outcome: 'created', transfer: toTransfer(row), response: toStoredKey(row).response };
  }

  // Not 'created' (above): the outcomes a keyed call shares with ledger_post_transfer.
  return toPostOutcome(row) as PostKeyedOutcome;
}

/** SQL of transfers and their journal lines. */
@Injectable()
export class TransferRepository {
  /**
   * Inserts the transfers that are not there yet and returns those it inserted. Rows go in id
   * order, so two batches racing on the same ids wait on each other in one order (no deadlock);
   * a duplicate id waits for the transaction holding it, then is skipped (ON CONFLICT).
   */
  async insertMany(tx: Tx, inputs: TransferInput[]): Promise<Transfer[]> {
    if (!inputs.length) {
      return [];
    }
    const sorted = [...inputs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const inserted = await rows<TransferRow>(
      tx,
      `INSERT INTO ledger_transfers AS t (id, debit_account_id, credit_account_id, asset, amount,
                                          posted_amount, code, metadata, status, two_phase,
                                          timeout_seconds, timeout_at, posted_at)
       SELECT i.id, i.debit, i.credit, i.asset, i.amount,
              CASE WHEN i.two_phase THEN NULL ELSE i.amount END,
              i.code, i.metadata::jsonb,
              CASE WHEN i.two_phase THEN 'pending' ELSE 'posted' END, i.two_phase,
              i.timeout_seconds, now() + make_interval(secs => i.timeout_seconds),
              CASE WHEN i.two_phase THEN NULL ELSE now() END
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[],
                     $7::text[], $8::boolean[], $9::int[])
           WITH ORDINALITY AS i (id, debit, credit, asset, amount, code, metadata, two_phase,
                                 timeout_seconds, ord)
        ORDER BY i.ord
       ON CONFLICT (id) DO NOTHING
       RETURNING ${TRANSFER}`,
      [
        sorted.map((i) => i.id),
        sorted.map((i) => i.debitAccountId),
        sorted.map((i) => i.creditAccountId),
        sorted.map((i) => i.asset),
        sorted.map((i) => i.amount.toString()),
        sorted.map((i) => i.code),
        sorted.map((i) => JSON.stringify(i.metadata ?? {})),
        sorted.map((i) => Boolean(i.pending)),
        sorted.map((i) => i.timeoutSeconds ?? null),
      ],
    );

    return inserted.map(toTransfer);
  }

  /**
   * One transfer, checked and applied in one statement: outside a transaction it runs in
   * autocommit (one round trip, atomic), inside one it joins it. `exists` carries the stored
   * transfer for the caller to compare with its input.
   */
  async post(tx: Tx, input: TransferInput): Promise<PostOutcome> {
    const [row] = await rows<PostRow>(
      tx,
      `SELECT ${POSTED}
         FROM ledger_post_transfer($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9) f
        CROSS JOIN LATERAL (SELECT (f.transfer).*) t`,
      transferParams(input),
    );

    return toPostOutcome(row!);
  }

  /**
   * post() for a call carrying an Idempotency-Key, in the same one statement: the key is looked
   * up under its lock, and stored with the transfer it creates (ledger_post_transfer_keyed).
   */
  async postKeyed(
    tx: Tx,
    input: TransferInput,
    call: IdempotentRequest,
    ttlHours: number,
  ): Promise<PostKeyedOutcome> {
    let row: (PostRow & KeyRow) | undefined;
    try {
      [row] = await rows<PostRow & KeyRow>(
        tx,
        `SELECT ${POSTED_KEYED}
           FROM ledger_post_transfer_keyed($1, $2, $3, $4, $5, $6,
                                          $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15) f
          CROSS JOIN LATERAL (SELECT (f.transfer).*) t`,
        [...keyParams(call), ttlHours, ...transferParams(input)],
      );
    } catch (error) {
      // A live key appeared after this statement's lookup without its lock being taken, and the
      // function undid the transfer with a unique violation: the key is in use, as for key_busy.
      if (uniqueViolationOf(error) === 'idempotency_keys_pkey') {
        return { outcome: 'key_busy' };
      }
      throw error;
    }

    return toPostKeyedOutcome(row!);
  }

  /**
   * postKeyed for many calls (distinct ids and keys) in one statement and one transaction
   * (ledger_post_transfers_keyed), answered in order. It fails whole, undoing every member, where
   * postKeyed would fail one (a key stored without its lock meanwhile, a deadlock): the
   * caller then posts each alone.
   */
  async postKeyedMany(
    tx: Tx,
    items: { input: TransferInput; call: IdempotentRequest }[],
    ttlHours: number,
  ): Promise<BatchedKeyedOutcome[]> {
    // One array per parameter of ledger_post_transfer_keyed, in its order.
    const params = items.map(({ input, call }) => [...keyParams(call), ...transferParams(input)]);
    const columns = params[0]!.map((_, j) => params.map((row) => row[j]));
    const found = await rows<PostRow & KeyRow>(
      tx,
      `SELECT ${POSTED_KEYED}
         FROM ledger_post_transfers_keyed($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                                         $13::jsonb[], $14, $15) f
        CROSS JOIN LATERAL (SELECT (f.transfer).*) t
        ORDER BY f.ord`,
      [...columns.slice(0, 5), ttlHours, ...columns.slice(5)],
    );
    if (found.length !== items.length) {
      throw new Error(`ledger_post_transfers_keyed answered ${found.length} of ${items.length}`);
    }

    return found.map((row) =>
      row.outcome === 'alone' ? { outcome: 'alone' } : toPostKeyedOutcome(row),
    );
  }

  async findMany(tx: Tx, ids: string[]): Promise<Transfer[]> {
    const found = await rows<TransferRow>(
      tx,
      `SELECT ${TRANSFER} FROM ledger_transfers t WHERE t.id = ANY($1::uuid[])`,
      [ids],
    );

    return found.map(toTransfer);
  }

  async findById(tx: Tx, id: string): Promise<Transfer | undefined> {
    const [found] = await this.findMany(tx, [id]);

    return found;
  }

  /**
   * An account's transfers on either side, newest first (created_at, then id), of one status
   * when given, after the keyset position `before`. Each side is read in order through its own
   * (account, created_at) index and the two are merged, so a hot account's millions of
   * transfers are never all read and sorted for one page. Each row carries its position.
   */
  async findPageByAccount(
    tx: Tx,
    accountId: string,
    status: TransferStatus | undefined,
    before: TransferPosition | undefined,
    limit: number,
  ): Promise<{ transfer: Transfer; position: TransferPosition }[]> {
    const side = (column: string): string => `
      (SELECT ${TRANSFER} FROM ledger_transfers t
        WHERE t.${column} = $1 AND ($2::text IS NULL OR t.status = $2)
          AND ($3::bigint IS NULL
               OR (t.created_at, t.id) < (timestamptz 'epoch' + $3 * interval '1 microsecond', $4::uuid))
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT $5)`;
    const found = await rows<TransferRow & { createdMicros: string }>(
      tx,
      `SELECT page.*, (extract(epoch FROM page."createdAt") * 1000000)::bigint::text AS "createdMicros"
         FROM (${side('debit_account_id')} UNION ALL ${side('credit_account_id')}) page
        ORDER BY page."createdAt" DESC, page.id DESC
        LIMIT $5`,
      [accountId, status ?? null, before?.createdMicros ?? null, before?.id ?? null, limit],
    );

    return found.map(({ createdMicros, ...row }) => ({
      transfer: toTransfer(row),
      position: { createdMicros, id: row.id },
    }));
  }

  /**
   * Locks one transfer row for a state change (post/void); `expired` uses the database clock.
   * Transfer rows are always locked before balance rows.
   */
  async lock(tx: Tx, id: string): Promise<{ transfer: Transfer; expired: boolean } | undefined> {
    const [row] = await rows<TransferRow & { expired: boolean }>(
      tx,
      `SELECT ${TRANSFER}, coalesce(t.timeout_at <= now(), false) AS expired
         FROM ledger_transfers t WHERE t.id = $1 FOR UPDATE`,
      [id],
    );

    return row && { transfer: toTransfer(row), expired: row.expired };
  }

  /**
   * Claims pending transfers past their timeout (ledger_transfers_pending_idx). SKIP LOCKED: a
   * transfer being posted right now is left to that transaction, and sweepers never wait.
   */
  async claimExpired(tx: Tx, now: Date, limit: number): Promise<Transfer[]> {
    const claimed = await rows<TransferRow>(
      tx,
      `SELECT ${TRANSFER} FROM ledger_transfers t
        WHERE t.status = 'pending' AND t.timeout_at <= $1
        ORDER BY t.timeout_at
        LIMIT $2
          FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );

    return claimed.map(toTransfer);
  }

  /** Removes transfers this transaction inserted and then refused (their chain failed). */
  async deleteMany(tx: Tx, ids: string[]): Promise<void> {
    if (ids.length) {
      await rows(tx, `DELETE FROM ledger_transfers WHERE id = ANY($1::uuid[])`, [ids]);
    }
  }

  /** Marks locked pending transfers posted (with their amounts) or voided, in one statement. */
  async resolve(tx: Tx, changes: { id: string; postedAmount?: bigint }[]): Promise<Transfer[]> {
    const resolved = await rows<TransferRow>(
      tx,
      `UPDATE ledger_transfers t
          SET status = CASE WHEN c.posted_amount IS NULL THEN 'voided' ELSE 'posted' END,
              posted_amount = c.posted_amount,
              posted_at = CASE WHEN c.posted_amount IS NULL THEN NULL ELSE now() END,
              voided_at = CASE WHEN c.posted_amount IS NULL THEN now() ELSE NULL END
         FROM unnest($1::uuid[], $2::bigint[]) AS c (id, posted_amount)
        WHERE t.id = c.id AND t.status = 'pending'
       RETURNING ${TRANSFER}`,
      [changes.map((c) => c.id), changes.map((c) => c.postedAmount?.toString() ?? null)],
    );

    return resolved.map(toTransfer);
  }

  /** Appends journal lines in the given order (their ids follow it). */
  async insertEntries(tx: Tx, entries: NewEntry[]): Promise<void> {
    if (!entries.length) {
      return;
    }
    await rows(
      tx,
      `INSERT INTO ledger_entries (transfer_id, account_id, asset, amount, balance_after)
       SELECT e.transfer_id, e.account_id, e.asset, e.amount, e.balance_after
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::bigint[])
         WITH ORDINALITY AS e (transfer_id, account_id, asset, amount, balance_after, ord)
        ORDER BY e.ord`,
      [
        entries.map((e) => e.transferId),
        entries.map((e) => e.accountId),
        entries.map((e) => e.asset),
        entries.map((e) => e.amount.toString()),
        entries.map((e) => e.balanceAfter?.toString() ?? null),
      ],
    );
  }

  /**
   * A page of an account's lines, newest first, keyset on the line id (ledger_entries_account_idx).
   * Unsharded accounts carry balance_after; for sharded ones it is computed in the same snapshot:
   * current balance, minus every line newer than the page, minus the lines above on the page.
   */
  async statement(
    tx: Tx,
    accountId: string,
    sharded: boolean,
    before: bigint | undefined,
    limit: number,
  ): Promise<StatementEntry[]> {
    const balanceAfter = sharded
      ? `(SELECT sum(credits_posted - debits_posted) FROM ledger_balances WHERE account_id = $1)
         - (SELECT coalesce(sum(amount), 0) FROM ledger_entries
             WHERE account_id = $1 AND $2::bigint IS NOT NULL AND id >= $2)
         - coalesce(sum(e.amount) OVER (ORDER BY e.id DESC ROWS BETWEEN UNBOUNDED PRECEDING
                                                               AND 1 PRECEDING), 0)`
      : `e.balance_after`;
    const found = await rows<{
      id: string;
      transferId: string;
      accountId: string;
      asset: string;
      amount: string;
      balanceAfter: string;
      code: string;
      metadata: Record<string, unknown>;
      createdAt: Date;
    }>(
      tx,
      `SELECT e.id::text, e.transfer_id AS "transferId", e.account_id AS "accountId", e.asset,
              e.amount::text, (${balanceAfter})::text AS "balanceAfter", t.code, t.metadata,
              e.created_at AS "createdAt"
         FROM (SELECT * FROM ledger_entries
                WHERE account_id = $1 AND ($2::bigint IS NULL OR id < $2)
                ORDER BY id DESC
                LIMIT $3) e
         JOIN ledger_transfers t ON t.id = e.transfer_id
        ORDER BY e.id DESC`,
      [accountId, before?.toString() ?? null, limit],
    );

    return found.map((r) => {
      const amount = BigInt(r.amount);

      return {
        id: r.id,
        transferId: r.transferId,
        accountId: r.accountId,
        asset: r.asset,
        side: amount < 0n ? 'debit' : 'credit',
        amount: amount < 0n ? -amount : amount,
        balanceAfter: BigInt(r.balanceAfter),
        code: r.code,
        metadata: r.metadata,
        createdAt: r.createdAt,
      };
    });
  }
}
