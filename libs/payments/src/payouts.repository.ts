import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { Payout, PayoutState } from './payments.types';

const PAYOUT = `id, owner_id AS "ownerId", asset, amount, receiver, state,
                hold_transfer_id AS "holdTransferId", provider_batch_id AS "providerBatchId",
                provider_item_id AS "providerItemId", provider_status AS "providerStatus",
                created_at AS "createdAt", updated_at AS "updatedAt"`;

type PayoutRow = Omit<Payout, 'amount'> & { amount: string };

const toPayout = (row: PayoutRow): Payout => ({ ...row, amount: BigInt(row.amount) });

/** SQL of payouts; the state moves by conditional updates under the row lock. */
@Injectable()
export class PayoutsRepository {
  async insert(
    tx: Tx,
    payout: Pick<Payout, 'id' | 'ownerId' | 'asset' | 'amount' | 'receiver' | 'holdTransferId'>,
  ): Promise<Payout> {
    const [row] = await rows<PayoutRow>(
      tx,
      `INSERT INTO payouts (id, owner_id, asset, amount, receiver, hold_transfer_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${PAYOUT}`,
      [
        payout.id,
        payout.ownerId,
        payout.asset,
        payout.amount.toString(),
        payout.receiver,
        payout.holdTransferId,
      ],
    );

    return toPayout(row!);
  }

  async find(tx: Tx, id: string): Promise<Payout | undefined> {
    const [row] = await rows<PayoutRow>(tx, `SELECT ${PAYOUT} FROM payouts WHERE id = $1`, [id]);

    return row && toPayout(row);
  }

  /** The payout, locked until `tx` ends: its sending and PayPal's reports run one at a time. */
  async lock(tx: Tx, id: string): Promise<Payout | undefined> {
    const [row] = await rows<PayoutRow>(
      tx,
      `SELECT ${PAYOUT} FROM payouts WHERE id = $1 FOR UPDATE`,
      [id],
    );

    return row && toPayout(row);
  }

  /** Newest first; `ownerId` undefined: everyone's (staff). */
  async page(
    tx: Tx,
    ownerId: string | undefined,
    page: { cursor?: string; limit: number },
  ): Promise<Payout[]> {
    const found = await rows<PayoutRow>(
      tx,
      `SELECT ${PAYOUT} FROM payouts
        WHERE ($1::uuid IS NULL OR owner_id = $1) AND ($2::uuid IS NULL OR id < $2)
        ORDER BY id DESC
        LIMIT $3`,
      [ownerId ?? null, page.cursor ?? null, page.limit],
    );

    return found.map(toPayout);
  }

  /** Moves the state to `to` only from one of `from`; undefined when the payout was elsewhere. */
  async transition(
    tx: Tx,
    id: string,
    from: readonly PayoutState[],
    to: PayoutState,
    provider: { batchId?: string; itemId?: string; status?: string },
  ): Promise<Payout | undefined> {
    const [row] = await rows<PayoutRow>(
      tx,
      `UPDATE payouts
          SET state = $3,
              provider_batch_id = COALESCE($4, provider_batch_id),
              provider_item_id = COALESCE($5, provider_item_id),
              provider_status = COALESCE($6, provider_status),
              updated_at = now()
        WHERE id = $1 AND state = ANY($2) RETURNING ${PAYOUT}`,
      [id, from, to, provider.batchId ?? null, provider.itemId ?? null, provider.status ?? null],
    );

    return row && toPayout(row);
  }
}
