import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { PaymentProvider, ReconKind, ReconLine, ReconRun } from './payments.types';

const RUN = `id, provider, window_from AS "windowFrom", window_to AS "windowTo", lines, exceptions,
             created_at AS "createdAt"`;
const LINE = `kind, status, payment_id AS "paymentId", payout_id AS "payoutId",
              provider_ref AS "providerRef", asset, provider_amount AS "providerAmount",
              ledger_amount AS "ledgerAmount"`;

type LineRow = Omit<ReconLine, 'providerAmount' | 'ledgerAmount'> & {
  providerAmount: string | null;
  ledgerAmount: string | null;
};

/** What our side booked for one subject and kind within a window. */
export interface BookedTotal {
  kind: ReconKind;
  paymentId: string | null;
  payoutId: string | null;
  asset: string;
  amount: bigint;
  /** The newest movement's time (for the grace period of `expected`). */
  latest: Date;
  /** A payout PayPal has not finished: its absence from the report is expected. */
  inTransit: boolean;
}

/** SQL of reconciliation: our totals per subject, and the stored runs with their lines. */
@Injectable()
export class ReconRepository {
  /**
   * Captures, refunds and fees booked for the provider's payments in [from, to), summed per
   * payment and kind (each rise of a cumulative total is one transfer).
   */
  async paymentTotals(
    tx: Tx,
    provider: PaymentProvider,
    from: Date,
    to: Date,
  ): Promise<BookedTotal[]> {
    const found = await rows<Omit<BookedTotal, 'amount'> & { amount: string }>(
      tx,
      `SELECT CASE t.code WHEN 'payment.capture' THEN 'capture'
                          WHEN 'payment.refund' THEN 'refund' ELSE 'fee' END AS kind,
              (t.metadata->>'paymentId')::uuid AS "paymentId", NULL AS "payoutId", t.asset,
              sum(t.amount)::text AS amount, max(t.created_at) AS latest, false AS "inTransit"
         FROM ledger_transfers t
        WHERE t.code IN ('payment.capture', 'payment.refund', 'payment.fee')
          AND t.metadata->>'provider' = $1 AND t.created_at >= $2 AND t.created_at < $3
        GROUP BY 1, 2, 4`,
      [provider, from, to],
    );

    return found.map((row) => ({ ...row, amount: BigInt(row.amount) }));
  }

  /**
   * Payouts requested or settled in [from, to): what their hold posted (0 until paid, and for
   * failed or returned ones), and whether PayPal still has them.
   */
  async payoutTotals(tx: Tx, from: Date, to: Date): Promise<BookedTotal[]> {
    const found = await rows<Omit<BookedTotal, 'amount'> & { amount: string }>(
      tx,
      `SELECT 'payout' AS kind, NULL AS "paymentId", p.id AS "payoutId", p.asset,
              CASE WHEN p.state = 'paid' THEN t.posted_amount
                   WHEN p.state IN ('pending', 'in_transit') THEN p.amount ELSE 0 END::text AS amount,
              p.updated_at AS latest, p.state IN ('pending', 'in_transit') AS "inTransit"
         FROM payouts p JOIN ledger_transfers t ON t.id = p.hold_transfer_id
        WHERE (p.created_at >= $1 AND p.created_at < $2) OR (p.updated_at >= $1 AND p.updated_at < $2)`,
      [from, to],
    );

    return found.map((row) => ({ ...row, amount: BigInt(row.amount) }));
  }

  /** Our payment ids of the provider's intent ids. */
  async paymentIds(
    tx: Tx,
    provider: PaymentProvider,
    refs: string[],
  ): Promise<Map<string, string>> {
    const found = await rows<{ id: string; ref: string }>(
      tx,
      `SELECT id, provider_ref AS ref FROM payments WHERE provider = $1 AND provider_ref = ANY($2)`,
      [provider, refs],
    );

    return new Map(found.map((row) => [row.ref, row.id]));
  }

  async insertRun(tx: Tx, run: Omit<ReconRun, 'createdAt'>, lines: ReconLine[]): Promise<ReconRun> {
    const [stored] = await rows<ReconRun>(
      tx,
      `INSERT INTO payment_recon_runs (id, provider, window_from, window_to, lines, exceptions)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${RUN}`,
      [run.id, run.provider, run.windowFrom, run.windowTo, run.lines, run.exceptions],
    );
    if (lines.length > 0) {
      await rows(
        tx,
        `INSERT INTO payment_recon_lines
           (id, run_id, kind, status, payment_id, payout_id, provider_ref, asset, provider_amount, ledger_amount)
         SELECT gen_random_uuid(), $1, l.kind, l.status, l."paymentId", l."payoutId", l."providerRef",
                l.asset, l."providerAmount", l."ledgerAmount"
           FROM jsonb_to_recordset($2::jsonb) AS l(kind text, status text, "paymentId" uuid,
                "payoutId" uuid, "providerRef" text, asset text, "providerAmount" bigint,
                "ledgerAmount" bigint)`,
        [
          run.id,
          JSON.stringify(
            lines.map((line) => ({
              ...line,
              providerAmount: line.providerAmount?.toString() ?? null,
              ledgerAmount: line.ledgerAmount?.toString() ?? null,
            })),
          ),
        ],
      );
    }

    return stored!;
  }

  /** Newest first. */
  page(tx: Tx, page: { cursor?: string; limit: number }): Promise<ReconRun[]> {
    return rows<ReconRun>(
      tx,
      `SELECT ${RUN} FROM payment_recon_runs
        WHERE ($1::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM payment_recon_runs WHERE id = $1))
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      [page.cursor ?? null, page.limit],
    );
  }

  async find(tx: Tx, id: string): Promise<ReconRun | undefined> {
    const [run] = await rows<ReconRun>(tx, `SELECT ${RUN} FROM payment_recon_runs WHERE id = $1`, [
      id,
    ]);

    return run;
  }

  /** Exceptions first, then by kind. */
  async linesOf(tx: Tx, runId: string): Promise<ReconLine[]> {
    const found = await rows<LineRow>(
      tx,
      `SELECT ${LINE} FROM payment_recon_lines WHERE run_id = $1
        ORDER BY status = 'matched', status = 'expected', status, kind, payment_id, payout_id`,
      [runId],
    );

    return found.map((row) => ({
      ...row,
      providerAmount: row.providerAmount === null ? null : BigInt(row.providerAmount),
      ledgerAmount: row.ledgerAmount === null ? null : BigInt(row.ledgerAmount),
    }));
  }

  /** The exceptions of each provider's latest run (the gauge). */
  latestExceptions(tx: Tx): Promise<{ provider: string; exceptions: number }[]> {
    return rows(
      tx,
      `SELECT DISTINCT ON (provider) provider, exceptions FROM payment_recon_runs
        ORDER BY provider, created_at DESC, id DESC`,
    );
  }
}
