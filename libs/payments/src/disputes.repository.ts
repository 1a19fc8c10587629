import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { Dispute, DisputeStatus } from './payments.types';

const DISPUTE = `id, payment_id AS "paymentId", provider, provider_ref AS "providerRef", asset, amount,
                 status, reason, evidence_due_by AS "evidenceDueBy", alerted_at AS "alertedAt",
                 created_at AS "createdAt", updated_at AS "updatedAt"`;

type DisputeRow = Omit<Dispute, 'amount'> & { amount: string };

const toDispute = (row: DisputeRow): Dispute => ({ ...row, amount: BigInt(row.amount) });

/** SQL of payment_disputes: inserted once per provider dispute, status forward only. */
@Injectable()
export class DisputesRepository {
  /** Inserts the dispute `open`; undefined when the provider's id is already stored. */
  async insert(
    tx: Tx,
    dispute: Pick<
      Dispute,
      | 'id'
      | 'paymentId'
      | 'provider'
      | 'providerRef'
      | 'asset'
      | 'amount'
      | 'reason'
      | 'evidenceDueBy'
    >,
  ): Promise<Dispute | undefined> {
    const [row] = await rows<DisputeRow>(
      tx,
      `INSERT INTO payment_disputes
         (id, payment_id, provider, provider_ref, asset, amount, status, reason, evidence_due_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8)
       ON CONFLICT (provider, provider_ref) DO NOTHING
       RETURNING ${DISPUTE}`,
      [
        dispute.id,
        dispute.paymentId,
        dispute.provider,
        dispute.providerRef,
        dispute.asset,
        dispute.amount.toString(),
        dispute.reason,
        dispute.evidenceDueBy,
      ],
    );

    return row && toDispute(row);
  }

  async lock(tx: Tx, provider: string, providerRef: string): Promise<Dispute | undefined> {
    const [row] = await rows<DisputeRow>(
      tx,
      `SELECT ${DISPUTE} FROM payment_disputes WHERE provider = $1 AND provider_ref = $2 FOR UPDATE`,
      [provider, providerRef],
    );

    return row && toDispute(row);
  }

  /** Closes an open dispute; undefined when it was already closed. */
  async close(tx: Tx, id: string, status: DisputeStatus): Promise<Dispute | undefined> {
    const [row] = await rows<DisputeRow>(
      tx,
      `UPDATE payment_disputes SET status = $2, updated_at = now()
        WHERE id = $1 AND status = 'open' RETURNING ${DISPUTE}`,
      [id, status],
    );

    return row && toDispute(row);
  }

  /** A later report may move the evidence deadline (the provider extended it). */
  async setDueBy(tx: Tx, id: string, dueBy: Date): Promise<void> {
    await rows(
      tx,
      `UPDATE payment_disputes SET evidence_due_by = $2, updated_at = now()
        WHERE id = $1 AND status = 'open' AND evidence_due_by IS DISTINCT FROM $2`,
      [id, dueBy],
    );
  }

  /** Marks the open disputes due before `horizon` and not yet alerted; returns them. */
  async claimDue(tx: Tx, horizon: Date): Promise<Dispute[]> {
    const found = await rows<DisputeRow>(
      tx,
      `UPDATE payment_disputes SET alerted_at = now()
        WHERE status = 'open' AND alerted_at IS NULL AND evidence_due_by <= $1
        RETURNING ${DISPUTE}`,
      [horizon],
    );

    return found.map(toDispute);
  }

  async ofPayment(tx: Tx, paymentId: string): Promise<Dispute[]> {
    const found = await rows<DisputeRow>(
      tx,
      `SELECT ${DISPUTE} FROM payment_disputes WHERE payment_id = $1 ORDER BY created_at, id`,
      [paymentId],
    );

    return found.map(toDispute);
  }

  /** Staff to tell about a dispute's deadline. */
  staff(tx: Tx): Promise<{ id: string }[]> {
    return rows(tx, `SELECT id FROM users WHERE role IN ('admin', 'support') ORDER BY id`);
  }
}
