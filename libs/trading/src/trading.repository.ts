import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { Metal, Order, Position, Quote, Side } from './trading.types';

interface QuoteRow {
  id: string;
  user_id: string;
  metal: Metal;
  side: Side;
  price: string;
  mid: string;
  price_scale: number;
  weight: string;
  gross: string;
  fee: string;
  total: string;
  price_at: Date;
  created_at: Date;
  expires_at: Date;
}

interface OrderRow {
  id: string;
  seq: string;
  quote_id: string;
  user_id: string;
  metal: Metal;
  side: Side;
  price: string;
  price_scale: number;
  weight: string;
  gross: string;
  fee: string;
  total: string;
  created_at: Date;
}

const toQuote = (r: QuoteRow): Quote => ({
  id: r.id,
  userId: r.user_id,
  metal: r.metal,
  side: r.side,
  price: BigInt(r.price),
  mid: BigInt(r.mid),
  priceScale: r.price_scale,
  weight: BigInt(r.weight),
  gross: BigInt(r.gross),
  fee: BigInt(r.fee),
  total: BigInt(r.total),
  priceAt: r.price_at,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

const toOrder = (r: OrderRow): Order => ({
  id: r.id,
  seq: BigInt(r.seq),
  quoteId: r.quote_id,
  userId: r.user_id,
  metal: r.metal,
  side: r.side,
  price: BigInt(r.price),
  priceScale: r.price_scale,
  weight: BigInt(r.weight),
  gross: BigInt(r.gross),
  fee: BigInt(r.fee),
  total: BigInt(r.total),
  createdAt: r.created_at,
});

const ORDER_COLUMNS = `id, seq, quote_id, user_id, metal, side, price, price_scale, weight, gross, fee, total, created_at`;

@Injectable()
export class TradingRepository {
  async insertQuote(tx: Tx, q: Quote): Promise<void> {
    await rows(
      tx,
      `INSERT INTO trading_quotes
         (id, user_id, metal, side, price, mid, price_scale, weight, gross, fee, total,
          price_at, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        q.id,
        q.userId,
        q.metal,
        q.side,
        q.price.toString(),
        q.mid.toString(),
        q.priceScale,
        q.weight.toString(),
        q.gross.toString(),
        q.fee.toString(),
        q.total.toString(),
        q.priceAt,
        q.createdAt,
        q.expiresAt,
      ],
    );
  }

  /** The user's quote, locked: two orders on one quote queue here, and the second sees the first's order. */
  async lockQuote(tx: Tx, id: string, userId: string): Promise<Quote | undefined> {
    const [row] = await rows<QuoteRow>(
      tx,
      `SELECT * FROM trading_quotes WHERE id = $1 AND user_id = $2 FOR UPDATE`,
      [id, userId],
    );

    return row && toQuote(row);
  }

  async orderOfQuote(tx: Tx, quoteId: string): Promise<string | undefined> {
    const [row] = await rows<{ id: string }>(
      tx,
      `SELECT id FROM trading_orders WHERE quote_id = $1`,
      [quoteId],
    );

    return row?.id;
  }

  async insertOrder(tx: Tx, id: string, q: Quote): Promise<Order> {
    const [row] = await rows<OrderRow>(
      tx,
      `INSERT INTO trading_orders
         (id, quote_id, user_id, metal, side, price, price_scale, weight, gross, fee, total)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING ${ORDER_COLUMNS}`,
      [
        id,
        q.id,
        q.userId,
        q.metal,
        q.side,
        q.price.toString(),
        q.priceScale,
        q.weight.toString(),
        q.gross.toString(),
        q.fee.toString(),
        q.total.toString(),
      ],
    );

    return toOrder(row!);
  }

  /**
   * Moves a position by an executed order: a buy adds its weight and what it cost; a sell takes
   * its weight out with the matching share of the cost (rounded down), so the average cost of
   * what remains is unchanged.
   */
  async applyToPosition(tx: Tx, order: Order): Promise<void> {
    if (order.side === 'buy') {
      await rows(
        tx,
        `INSERT INTO trading_positions (user_id, metal, weight, cost) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, metal) DO UPDATE
           SET weight = trading_positions.weight + EXCLUDED.weight,
               cost = trading_positions.cost + EXCLUDED.cost`,
        [order.userId, order.metal, order.weight.toString(), order.total.toString()],
      );

      return;
    }
    await rows(
      tx,
      `UPDATE trading_positions
          SET cost = CASE WHEN weight <= $3 THEN 0 ELSE cost - cost * $3 / weight END,
              weight = GREATEST(weight - $3, 0)
        WHERE user_id = $1 AND metal = $2`,
      [order.userId, order.metal, order.weight.toString()],
    );
  }

  async positions(tx: Tx, userId: string): Promise<Position[]> {
    const found = await rows<{ metal: Metal; weight: string; cost: string }>(
      tx,
      `SELECT metal, weight, cost FROM trading_positions
        WHERE user_id = $1 AND weight > 0 ORDER BY metal`,
      [userId],
    );

    return found.map((r) => ({ metal: r.metal, weight: BigInt(r.weight), cost: BigInt(r.cost) }));
  }

  /** The user's orders, newest first, keyset on `seq`. */
  async orderPage(
    tx: Tx,
    userId: string,
    before: bigint | undefined,
    limit: number,
  ): Promise<Order[]> {
    const found = await rows<OrderRow>(
      tx,
      `SELECT ${ORDER_COLUMNS} FROM trading_orders
        WHERE user_id = $1 AND ($2::bigint IS NULL OR seq < $2)
        ORDER BY seq DESC LIMIT $3`,
      [userId, before?.toString() ?? null, limit],
    );

    return found.map(toOrder);
  }
}
