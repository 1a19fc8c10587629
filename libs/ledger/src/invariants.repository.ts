import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { InvariantReport } from './ledger.types';

/** Rows shown per violated invariant: enough to act on, bounded if everything is broken. */
const SAMPLE = 100;

// Per account: posted and pending sides summed over its balance rows.
const BALANCES = `
  SELECT account_id,
         sum(credits_posted - debits_posted) AS posted,
         sum(credits_posted - debits_posted - debits_pending) AS available,
         sum(debits_pending) AS debits_pending,
         sum(credits_pending) AS credits_pending
    FROM ledger_balances GROUP BY account_id`;

/**
 * The invariant checker's SQL: full scans by design (it runs in the worker every
 * LEDGER_VERIFY_INTERVAL_SECONDS, in one REPEATABLE READ snapshot so the sums agree).
 */
@Injectable()
export class InvariantsRepository {
  async accountCount(tx: Tx): Promise<number> {
    const [row] = await rows<{ count: number }>(
      tx,
      `SELECT count(*)::int AS count FROM ledger_accounts`,
    );

    return row!.count;
  }

  async unbalancedAssets(tx: Tx): Promise<InvariantReport['unbalancedAssets']> {
    const found = await rows<{ asset: string; posted: string; pending: string; entries: string }>(
      tx,
      `WITH b AS (
         SELECT a.asset, sum(b.credits_posted - b.debits_posted) AS posted,
                sum(b.credits_pending - b.debits_pending) AS pending
           FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
          GROUP BY a.asset),
       e AS (SELECT asset, sum(amount) AS entries FROM ledger_entries GROUP BY asset)
       SELECT coalesce(b.asset, e.asset) AS asset, coalesce(b.posted, 0)::text AS posted,
              coalesce(b.pending, 0)::text AS pending, coalesce(e.entries, 0)::text AS entries
         FROM b FULL JOIN e ON e.asset = b.asset
        WHERE coalesce(b.posted, 0) <> 0 OR coalesce(b.pending, 0) <> 0 OR coalesce(e.entries, 0) <> 0
        ORDER BY 1`,
    );

    return found.map((r) => ({
      asset: r.asset,
      posted: BigInt(r.posted),
      pending: BigInt(r.pending),
      entries: BigInt(r.entries),
    }));
  }

  async balanceEntryMismatches(tx: Tx): Promise<InvariantReport['balanceEntryMismatches']> {
    const found = await rows<{ accountId: string; balance: string; entries: string }>(
      tx,
      `WITH b AS (${BALANCES}),
       e AS (SELECT account_id, sum(amount) AS entries FROM ledger_entries GROUP BY account_id)
       SELECT b.account_id AS "accountId", b.posted::text AS balance,
              coalesce(e.entries, 0)::text AS entries
         FROM b LEFT JOIN e USING (account_id)
        WHERE b.posted <> coalesce(e.entries, 0)
        ORDER BY 1 LIMIT ${SAMPLE}`,
    );

    return found.map((r) => ({
      accountId: r.accountId,
      balance: BigInt(r.balance),
      entries: BigInt(r.entries),
    }));
  }

  async pendingMismatches(tx: Tx): Promise<InvariantReport['pendingMismatches']> {
    const found = await rows<Record<string, string>>(
      tx,
      `WITH b AS (${BALANCES}),
       p AS (
         SELECT account_id, sum(debit) AS debits, sum(credit) AS credits FROM (
           SELECT debit_account_id AS account_id, amount AS debit, 0 AS credit
             FROM ledger_transfers WHERE status = 'pending'
           UNION ALL
           SELECT credit_account_id, 0, amount FROM ledger_transfers WHERE status = 'pending'
         ) sides GROUP BY account_id)
       SELECT b.account_id AS "accountId",
              b.debits_pending::text AS "debitsPending",
              coalesce(p.debits, 0)::text AS "expectedDebitsPending",
              b.credits_pending::text AS "creditsPending",
              coalesce(p.credits, 0)::text AS "expectedCreditsPending"
         FROM b LEFT JOIN p USING (account_id)
        WHERE b.debits_pending <> coalesce(p.debits, 0) OR b.credits_pending <> coalesce(p.credits, 0)
        ORDER BY 1 LIMIT ${SAMPLE}`,
    );

    return found.map((r) => ({
      accountId: r.accountId!,
      debitsPending: BigInt(r.debitsPending!),
      expectedDebitsPending: BigInt(r.expectedDebitsPending!),
      creditsPending: BigInt(r.creditsPending!),
      expectedCreditsPending: BigInt(r.expectedCreditsPending!),
    }));
  }

  /**
   * Lines that do not match their transfer: no such transfer, an account that is not one of its
   * sides, or another asset. ledger_entries has no FKs (their cost, see the ledger-post-transfer
   * migration); with orphanTransfers this catches every orphan.
   */
  /**
   * Transfers whose account is missing or holds another asset. ledger_transfers has no FKs (see
   * the ledger-transfers-without-fks migration); an account's asset is FK-checked, so this also
   * covers the transfer's asset.
   */
  orphanTransfers(tx: Tx): Promise<InvariantReport['orphanTransfers']> {
    return rows(
      tx,
      `SELECT t.id AS "transferId", t.debit_account_id AS "debitAccountId",
              t.credit_account_id AS "creditAccountId"
         FROM ledger_transfers t
         LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id
         LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
        WHERE d.id IS NULL OR c.id IS NULL OR d.asset <> t.asset OR c.asset <> t.asset
        ORDER BY t.id LIMIT ${SAMPLE}`,
    );
  }

  misfiledEntries(tx: Tx): Promise<InvariantReport['misfiledEntries']> {
    return rows(
      tx,
      `SELECT e.id::text AS "entryId", e.transfer_id AS "transferId", e.account_id AS "accountId"
         FROM ledger_entries e LEFT JOIN ledger_transfers t ON t.id = e.transfer_id
        WHERE t.id IS NULL
           OR e.account_id NOT IN (t.debit_account_id, t.credit_account_id)
           OR e.asset <> t.asset
        ORDER BY e.id LIMIT ${SAMPLE}`,
    );
  }

  async negativeAccounts(tx: Tx): Promise<InvariantReport['negativeAccounts']> {
    const found = await rows<{ accountId: string; posted: string; available: string }>(
      tx,
      `WITH b AS (${BALANCES})
       SELECT b.account_id AS "accountId", b.posted::text AS posted, b.available::text AS available
         FROM b JOIN ledger_accounts a ON a.id = b.account_id
        WHERE NOT a.allow_negative AND (b.posted < 0 OR b.available < 0)
        ORDER BY 1 LIMIT ${SAMPLE}`,
    );

    return found.map((r) => ({
      accountId: r.accountId,
      posted: BigInt(r.posted),
      available: BigInt(r.available),
    }));
  }

  /** Pending past timeout by more than `graceSeconds` (the sweeper had its chance). */
  expiredPending(tx: Tx, graceSeconds: number): Promise<InvariantReport['expiredPending']> {
    return rows(
      tx,
      `SELECT id AS "transferId", timeout_at AS "timeoutAt" FROM ledger_transfers
        WHERE status = 'pending' AND timeout_at < now() - make_interval(secs => $1)
        ORDER BY timeout_at LIMIT ${SAMPLE}`,
      [graceSeconds],
    );
  }
}
