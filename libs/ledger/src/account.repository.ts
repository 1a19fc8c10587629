import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { Account, AccountWithBalance, Asset } from './ledger.types';
import type { Counters } from './transfer-rules';

interface BalanceSums {
  debitsPosted: string;
  creditsPosted: string;
  debitsPending: string;
  creditsPending: string;
}

/** A locked balance row, identified by account and shard. */
export interface BalanceRow extends Counters {
  accountId: string;
  shard: number;
}

/**
 * A balance row as a transfer locks it: its counters, whether its account is frozen, and the
 * locked version's tuple id (ctid), by which addToBalances finds it again in the same transaction.
 */
export interface LockedBalance extends BalanceRow {
  frozen: boolean;
  tid: string;
}

/** Net deltas for a balance row this transaction has locked, and the tid its lock returned. */
export interface BalanceChange extends BalanceRow {
  tid: string;
}

// The columns of an `Account`, under its field names.
const ACCOUNT = `a.id, a.asset, a.owner, a.kind, a.allow_negative AS "allowNegative", a.shards,
                 a.metadata, a.created_at AS "createdAt", a.frozen_at AS "frozenAt"`;

// One indexed read: the account's balance rows are a primary-key range (account_id, shard).
const WITH_BALANCE = `
  SELECT ${ACCOUNT}, b."debitsPosted", b."creditsPosted", b."debitsPending", b."creditsPending"
    FROM ledger_accounts a
    CROSS JOIN LATERAL (
      SELECT sum(debits_posted)::text   AS "debitsPosted",
             sum(credits_posted)::text  AS "creditsPosted",
             sum(debits_pending)::text  AS "debitsPending",
             sum(credits_pending)::text AS "creditsPending"
        FROM ledger_balances WHERE account_id = a.id) b`;

const withBalance = (row: Account & BalanceSums): AccountWithBalance => {
  const { debitsPosted, creditsPosted, debitsPending, creditsPending, ...account } = row;
  const c = {
    debitsPosted: BigInt(debitsPosted),
    creditsPosted: BigInt(creditsPosted),
    debitsPending: BigInt(debitsPending),
    creditsPending: BigInt(creditsPending),
  };

  return {
    ...account,
    balance: {
      ...c,
      posted: c.creditsPosted - c.debitsPosted,
      pending: c.creditsPending - c.debitsPending,
      available: c.creditsPosted - c.debitsPosted - c.debitsPending,
    },
  };
};

/** SQL of assets, accounts and balance rows. */
@Injectable()
export class AccountRepository {
  async findAsset(tx: Tx, code: string): Promise<Asset | undefined> {
    const [asset] = await rows<Asset>(
      tx,
      `SELECT code, scale, name FROM ledger_assets WHERE code = $1`,
      [code],
    );

    return asset;
  }

  listAssets(tx: Tx): Promise<Asset[]> {
    return rows<Asset>(tx, `SELECT code, scale, name FROM ledger_assets ORDER BY code`);
  }

  /**
   * Inserts the account and its balance rows (one per shard) in one statement; false if the id
   * exists, or the owner's wallet in this asset does (ledger_accounts_user_wallet_key).
   */
  async insert(tx: Tx, account: Omit<Account, 'createdAt' | 'frozenAt'>): Promise<boolean> {
    const inserted = await rows(
      tx,
      `WITH account AS (
         INSERT INTO ledger_accounts (id, asset, owner, kind, allow_negative, shards, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
         ON CONFLICT DO NOTHING
         RETURNING id, allow_negative, shards)
       INSERT INTO ledger_balances (account_id, shard, allow_negative)
       SELECT account.id, shard, account.allow_negative
         FROM account, generate_series(0, account.shards - 1) AS shard
       RETURNING account_id`,
      [
        account.id,
        account.asset,
        account.owner,
        account.kind,
        account.allowNegative,
        account.shards,
        JSON.stringify(account.metadata),
      ],
    );

    return inserted.length > 0;
  }

  /** Whether the platform knows this user (a wallet's owner); held against deletion until commit. */
  async userExists(tx: Tx, userId: string): Promise<boolean> {
    const found = await rows(tx, `SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE`, [userId]);

    return found.length > 0;
  }

  /** The user's wallet in `asset`, if there is one (one at most: ledger_accounts_user_wallet_key). */
  async findWallet(tx: Tx, owner: string, asset: string): Promise<Account | undefined> {
    const [found] = await rows<Account>(
      tx,
      `SELECT ${ACCOUNT} FROM ledger_accounts a
        WHERE a.owner = $1 AND a.asset = $2 AND a.kind = 'user_wallet'`,
      [owner, asset],
    );

    return found;
  }

  findMany(tx: Tx, ids: string[]): Promise<Account[]> {
    return rows<Account>(
      tx,
      `SELECT ${ACCOUNT} FROM ledger_accounts a WHERE a.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  async findWithBalance(tx: Tx, id: string): Promise<AccountWithBalance | undefined> {
    const [row] = await rows<Account & BalanceSums>(tx, `${WITH_BALANCE} WHERE a.id = $1`, [id]);

    return row && withBalance(row);
  }

  async findByOwner(tx: Tx, owner: string): Promise<AccountWithBalance[]> {
    const found = await rows<Account & BalanceSums>(
      tx,
      `${WITH_BALANCE} WHERE a.owner = $1 ORDER BY a.asset, a.created_at, a.id`,
      [owner],
    );

    return found.map(withBalance);
  }

  /** An owner's accounts (of one asset, when given) in id order, after `after`: a keyset page. */
  async findPageByOwner(
    tx: Tx,
    filter: { owner: string; asset?: string },
    after: string | undefined,
    limit: number,
  ): Promise<AccountWithBalance[]> {
    const found = await rows<Account & BalanceSums>(
      tx,
      `${WITH_BALANCE}
        WHERE a.owner = $1 AND ($2::text IS NULL OR a.asset = $2) AND ($3::uuid IS NULL OR a.id > $3)
        ORDER BY a.id
        LIMIT $4`,
      [filter.owner, filter.asset ?? null, after ?? null, limit],
    );

    return found.map(withBalance);
  }

  /**
   * Locks the given balance rows and reads them. The lock order is the deadlock guard: every
   * writer locks balance rows in (account_id, shard) order; here the keys are sorted and each row
   * is locked by its own primary-key probe, in that order. (A join of the keys with the table let
   * the planner hash the whole table instead: 3 to 9 ms per batch of 100 at 10,000 to 30,000
   * accounts, and growing with the ledger, all of it while holding the locks.)
   */
  async lockBalances(
    tx: Tx,
    keys: { accountId: string; shard: number }[],
  ): Promise<LockedBalance[]> {
    const locked = await rows<{
      accountId: string;
      shard: number;
      frozen: boolean;
      tid: string;
      debitsPosted: string;
      creditsPosted: string;
      debitsPending: string;
      creditsPending: string;
    }>(
      tx,
      `SELECT b.account_id AS "accountId", b.shard, b.frozen, b.tid,
              b.debits_posted AS "debitsPosted", b.credits_posted AS "creditsPosted",
              b.debits_pending AS "debitsPending", b.credits_pending AS "creditsPending"
         FROM (SELECT * FROM unnest($1::uuid[], $2::smallint[]) AS k (account_id, shard)
                ORDER BY account_id, shard) k
        CROSS JOIN LATERAL (
              SELECT r.*, r.ctid::text AS tid
                FROM ledger_balances r
               WHERE r.account_id = k.account_id AND r.shard = k.shard
                 FOR UPDATE) b`,
      [keys.map((k) => k.accountId), keys.map((k) => k.shard)],
    );

    return locked.map((r) => ({
      accountId: r.accountId,
      shard: r.shard,
      frozen: r.frozen,
      tid: r.tid,
      debitsPosted: BigInt(r.debitsPosted),
      creditsPosted: BigInt(r.creditsPosted),
      debitsPending: BigInt(r.debitsPending),
      creditsPending: BigInt(r.creditsPending),
    }));
  }

  /**
   * Freezes or unfreezes an account: the flag goes on every balance row first, whose locks make it
   * wait for the transfers in flight on the account, then `frozen_at` on the account (kept from
   * the first freeze). False if there is no such account.
   */
  async setFrozen(tx: Tx, id: string, frozen: boolean): Promise<boolean> {
    const flagged = await rows(
      tx,
      `UPDATE ledger_balances SET frozen = $2 WHERE account_id = $1 RETURNING shard`,
      [id, frozen],
    );
    if (!flagged.length) {
      return false;
    }
    await rows(
      tx,
      `UPDATE ledger_accounts
          SET frozen_at = CASE WHEN $2 THEN coalesce(frozen_at, now()) END
        WHERE id = $1`,
      [id, frozen],
    );

    return true;
  }

  /**
   * Adds net deltas to balance rows this transaction has locked: one statement for the whole batch,
   * reaching each row by the tid its lock returned, with a TID scan. (A join on the keys was
   * planned as a hash of the whole table, like the lock; and given the tids as a plain array the
   * planner, counting them, still preferred a sequential scan of any table under ~30,000 rows.
   * Through the sub-select it cannot count them.) The keys must match too, and every row must be
   * found, or the transaction fails rather than leave a change unapplied.
   */
  async addToBalances(tx: Tx, changes: BalanceChange[]): Promise<void> {
    if (!changes.length) {
      return;
    }
    const column = (pick: (c: BalanceChange) => bigint): string[] =>
      changes.map((c) => pick(c).toString());
    const [{ changed } = { changed: 0 }] = await rows<{ changed: number }>(
      tx,
      `WITH changed AS (
         UPDATE ledger_balances b
            SET debits_posted   = b.debits_posted + d.debits_posted,
                credits_posted  = b.credits_posted + d.credits_posted,
                debits_pending  = b.debits_pending + d.debits_pending,
                credits_pending = b.credits_pending + d.credits_pending
           FROM unnest($1::tid[], $2::uuid[], $3::smallint[],
                       $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
             AS d (tid, account_id, shard,
                   debits_posted, credits_posted, debits_pending, credits_pending)
          WHERE b.ctid = ANY (ARRAY(SELECT unnest($1::tid[])))
            AND b.ctid = d.tid AND b.account_id = d.account_id AND b.shard = d.shard
         RETURNING 1)
       SELECT count(*)::int AS changed FROM changed`,
      [
        changes.map((c) => c.tid),
        changes.map((c) => c.accountId),
        changes.map((c) => c.shard),
        column((c) => c.debitsPosted),
        column((c) => c.creditsPosted),
        column((c) => c.debitsPending),
        column((c) => c.creditsPending),
      ],
    );
    if (changed !== changes.length) {
      throw new Error(`Expected to change ${changes.length} balance rows, changed ${changed}`);
    }
  }
}
