import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';

export interface Reconciliation {
  id: string;
  bucket: Date;
  metal: string;
  /** Sum of the users' posted balances of the metal (minor units). */
  ledger: bigint;
  /** What the custodian's statement holds (minor units). */
  custodian: bigint;
  /** custodian − ledger: positive when the custodian holds more than we owe users. */
  difference: bigint;
  statementId: string;
  statementAt: Date;
  createdAt: Date;
}

interface ReconciliationRow {
  id: string;
  bucket: Date;
  metal: string;
  ledger_mg: string;
  custodian_mg: string;
  difference_mg: string;
  statement_id: string;
  statement_at: Date;
  created_at: Date;
}

const toReconciliation = (r: ReconciliationRow): Reconciliation => ({
  id: r.id,
  bucket: r.bucket,
  metal: r.metal,
  ledger: BigInt(r.ledger_mg),
  custodian: BigInt(r.custodian_mg),
  difference: BigInt(r.difference_mg),
  statementId: r.statement_id,
  statementAt: r.statement_at,
  createdAt: r.created_at,
});

@Injectable()
export class CustodyRepository {
  /**
   * What the ledger owes users of each asset: the posted balances of every user wallet, summed
   * (read from the ledger's tables: a report, no lock; the ledger lib has no aggregate of its own).
   */
  async userBalances(tx: Tx, assets: readonly string[]): Promise<Map<string, bigint>> {
    const found = await rows<{ asset: string; total: string }>(
      tx,
      `SELECT a.asset, coalesce(sum(b.credits_posted - b.debits_posted), 0) AS total
         FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
        WHERE a.kind = 'user_wallet' AND a.asset = ANY($1)
        GROUP BY a.asset`,
      [assets],
    );

    return new Map(found.map((r) => [r.asset, BigInt(r.total)]));
  }

  /** Records one metal's result of a bucket's run; a repeated job keeps the first. */
  async insert(tx: Tx, r: Omit<Reconciliation, 'createdAt'>): Promise<Reconciliation> {
    await rows(
      tx,
      `INSERT INTO trading_custody_reconciliations
         (id, bucket, metal, ledger_mg, custodian_mg, difference_mg, statement_id, statement_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (bucket, metal) DO NOTHING`,
      [
        r.id,
        r.bucket,
        r.metal,
        r.ledger.toString(),
        r.custodian.toString(),
        r.difference.toString(),
        r.statementId,
        r.statementAt,
      ],
    );
    const [row] = await rows<ReconciliationRow>(
      tx,
      `SELECT * FROM trading_custody_reconciliations WHERE bucket = $1 AND metal = $2`,
      [r.bucket, r.metal],
    );

    return toReconciliation(row!);
  }

  /** The newest results, `limit` of them. */
  async recent(tx: Tx, limit: number): Promise<Reconciliation[]> {
    const found = await rows<ReconciliationRow>(
      tx,
      `SELECT * FROM trading_custody_reconciliations
        ORDER BY created_at DESC, metal LIMIT $1`,
      [limit],
    );

    return found.map(toReconciliation);
  }

  /** The latest run's result per metal (the metric). */
  async latest(tx: Tx): Promise<Reconciliation[]> {
    const found = await rows<ReconciliationRow>(
      tx,
      `SELECT DISTINCT ON (metal) * FROM trading_custody_reconciliations
        ORDER BY metal, bucket DESC`,
    );

    return found.map(toReconciliation);
  }
}
