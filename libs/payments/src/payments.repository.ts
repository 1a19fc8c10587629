import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { Payment, PaymentAttempt, PaymentState } from './payments.types';

const PAYMENT = `id, owner_id AS "ownerId", purpose, provider, capture_mode AS "captureMode", asset,
                 amount, captured, refunded, fee, state, provider_ref AS "providerRef",
                 client_secret AS "clientSecret", approval_url AS "approvalUrl", decline_code AS "declineCode",
                 created_at AS "createdAt", updated_at AS "updatedAt"`;

interface PaymentRow extends Omit<Payment, 'amount' | 'captured' | 'refunded' | 'fee'> {
  amount: string;
  captured: string;
  refunded: string;
  fee: string;
}

const toPayment = (row: PaymentRow): Payment => ({
  ...row,
  amount: BigInt(row.amount),
  captured: BigInt(row.captured),
  refunded: BigInt(row.refunded),
  fee: BigInt(row.fee),
});

/** SQL of payments. Money columns only move forward, by conditional updates under the row lock. */
@Injectable()
export class PaymentsRepository {
  async insert(
    tx: Tx,
    payment: Pick<
      Payment,
      'id' | 'ownerId' | 'purpose' | 'provider' | 'captureMode' | 'asset' | 'amount'
    >,
  ): Promise<Payment> {
    const [row] = await rows<PaymentRow>(
      tx,
      `INSERT INTO payments (id, owner_id, purpose, provider, capture_mode, asset, amount)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING ${PAYMENT}`,
      [
        payment.id,
        payment.ownerId,
        payment.purpose,
        payment.provider,
        payment.captureMode,
        payment.asset,
        payment.amount.toString(),
      ],
    );

    return toPayment(row!);
  }

  async setProviderRef(
    tx: Tx,
    id: string,
    ref: string,
    clientSecret: string | null,
    approvalUrl: string | null,
  ): Promise<Payment> {
    const [row] = await rows<PaymentRow>(
      tx,
      `UPDATE payments SET provider_ref = $2, client_secret = $3, approval_url = $4, updated_at = now()
        WHERE id = $1 RETURNING ${PAYMENT}`,
      [id, ref, clientSecret, approvalUrl],
    );

    return toPayment(row!);
  }

  async find(tx: Tx, id: string): Promise<Payment | undefined> {
    const [row] = await rows<PaymentRow>(tx, `SELECT ${PAYMENT} FROM payments WHERE id = $1`, [id]);

    return row && toPayment(row);
  }

  /** The payment, locked until `tx` ends: settlements of one payment run one at a time. */
  async lock(tx: Tx, id: string): Promise<Payment | undefined> {
    const [row] = await rows<PaymentRow>(
      tx,
      `SELECT ${PAYMENT} FROM payments WHERE id = $1 FOR UPDATE`,
      [id],
    );

    return row && toPayment(row);
  }

  async lockByProviderRef(tx: Tx, provider: string, ref: string): Promise<Payment | undefined> {
    const [row] = await rows<PaymentRow>(
      tx,
      `SELECT ${PAYMENT} FROM payments WHERE provider = $1 AND provider_ref = $2 FOR UPDATE`,
      [provider, ref],
    );

    return row && toPayment(row);
  }

  /** Newest first; `ownerId` undefined: everyone's (staff). */
  async page(
    tx: Tx,
    ownerId: string | undefined,
    page: { cursor?: string; limit: number },
  ): Promise<Payment[]> {
    const found = await rows<PaymentRow>(
      tx,
      `SELECT ${PAYMENT} FROM payments
        WHERE ($1::uuid IS NULL OR owner_id = $1) AND ($2::uuid IS NULL OR id < $2)
        ORDER BY id DESC
        LIMIT $3`,
      [ownerId ?? null, page.cursor ?? null, page.limit],
    );

    return found.map(toPayment);
  }

  /**
   * Raises the cumulative captured amount to `captured`; undefined when it already was as high
   * (a repeated or older report). The CHECK refuses more than the intent's amount.
   */
  async raiseCaptured(tx: Tx, id: string, captured: bigint): Promise<Payment | undefined> {
    const [row] = await rows<PaymentRow>(
      tx,
      `UPDATE payments SET captured = $2, updated_at = now()
        WHERE id = $1 AND captured < $2 RETURNING ${PAYMENT}`,
      [id, captured.toString()],
    );

    return row && toPayment(row);
  }

  /** As raiseCaptured, for refunds: the CHECK refuses a sum of refunds above the captures. */
  async raiseRefunded(tx: Tx, id: string, refunded: bigint): Promise<Payment | undefined> {
    const [row] = await rows<PaymentRow>(
      tx,
      `UPDATE payments SET refunded = $2, updated_at = now()
        WHERE id = $1 AND refunded < $2 RETURNING ${PAYMENT}`,
      [id, refunded.toString()],
    );

    return row && toPayment(row);
  }

  /** As raiseCaptured, for the provider's fee. */
  async raiseFee(tx: Tx, id: string, fee: bigint): Promise<Payment | undefined> {
    const [row] = await rows<PaymentRow>(
      tx,
      `UPDATE payments SET fee = $2, updated_at = now()
        WHERE id = $1 AND fee < $2 RETURNING ${PAYMENT}`,
      [id, fee.toString()],
    );

    return row && toPayment(row);
  }

  /** Moves the state to `to` only from one of `from`; undefined when the payment was elsewhere. */
  async transition(
    tx: Tx,
    id: string,
    from: PaymentState[],
    to: PaymentState,
    declineCode: string | null,
  ): Promise<Payment | undefined> {
    const [row] = await rows<PaymentRow>(
      tx,
      `UPDATE payments SET state = $3, decline_code = COALESCE($4, decline_code), updated_at = now()
        WHERE id = $1 AND state = ANY($2) RETURNING ${PAYMENT}`,
      [id, from, to, declineCode],
    );

    return row && toPayment(row);
  }

  async recordAttempt(
    tx: Tx,
    id: string,
    paymentId: string,
    attempt: PaymentAttempt,
  ): Promise<void> {
    await rows(
      tx,
      `INSERT INTO payment_attempts (id, payment_id, provider_ref, outcome, decline_code, retryable)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (payment_id, provider_ref) DO UPDATE
         SET outcome = EXCLUDED.outcome
         WHERE payment_attempts.outcome = 'authorized' AND EXCLUDED.outcome = 'captured'`,
      [
        id,
        paymentId,
        attempt.providerRef,
        attempt.outcome,
        attempt.declineCode ?? null,
        attempt.retryable ?? null,
      ],
    );
  }

  async countByState(tx: Tx): Promise<{ provider: string; state: string; count: number }[]> {
    return rows(
      tx,
      `SELECT provider, state, count(*)::int AS count FROM payments GROUP BY provider, state`,
    );
  }
}
