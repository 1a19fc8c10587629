import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { OPEN_STATES, type OrderState } from './order-states';
import type { Operator, Order, OrderEvent, Product, Quote, Reseller } from './orders.types';

type Raw<T, K extends keyof T> = Omit<T, K> & Record<K, string>;

type Money = 'cost' | 'fee' | 'commission' | 'price';

const withMoney = <T extends Record<Money, bigint>>(row: Raw<T, Money>): T =>
  ({
    ...row,
    cost: BigInt(row.cost),
    fee: BigInt(row.fee),
    commission: BigInt(row.commission),
    price: BigInt(row.price),
  }) as T;

const PRODUCT = `p.id::text AS id, p.operator_id::text AS "operatorId", o.name AS "operatorName",
  o.country_iso AS "countryIso", p.name, p.wholesale::text AS wholesale,
  p.wholesale_asset AS "wholesaleAsset", p.destination_amount AS "destinationAmount",
  p.destination_currency AS "destinationCurrency", p.available`;

const QUOTE = `id, user_id AS "userId", reseller_id AS "resellerId", product_id::text AS "productId",
  phone, asset, cost::text, fee::text, commission::text, price::text, fx_rate AS "fxRate",
  destination_amount AS "destinationAmount", destination_currency AS "destinationCurrency",
  created_at AS "createdAt", expires_at AS "expiresAt"`;

const ORDER = `id, quote_id AS "quoteId", user_id AS "userId", reseller_id AS "resellerId",
  api_key_id AS "apiKeyId", product_id::text AS "productId", phone, asset, cost::text, fee::text,
  commission::text, price::text, pay_with AS "payWith", payment_id AS "paymentId",
  hold_id AS "holdId", state, version, callback_secret AS "callbackSecret",
  aggregator_ref AS "aggregatorRef", failure_reason AS "failureReason", attempts,
  paid_at AS "paidAt", delivered_at AS "deliveredAt", created_at AS "createdAt",
  updated_at AS "updatedAt"`;

const RESELLER = `id, name, user_id AS "userId", asset, fee_bps AS "feeBps",
  commission_bps AS "commissionBps", created_at AS "createdAt"`;

/** What a transition may set beside the state (null clears nothing: absent keeps the column). */
export interface OrderPatch {
  paymentId?: string;
  holdId?: string;
  aggregatorRef?: string;
  failureReason?: string;
  attempts?: number;
  paidAt?: Date;
  deliveredAt?: Date;
}

/** SQL of top-up: catalogue, quotes, orders and their events, resellers. */
@Injectable()
export class OrdersRepository {
  async upsertCatalogue(tx: Tx, operators: Operator[], products: Product[]): Promise<void> {
    await rows(
      tx,
      `INSERT INTO topup_operators (id, name, country_iso, country_name, refreshed_at)
       SELECT * , now() FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, country_iso = EXCLUDED.country_iso,
         country_name = EXCLUDED.country_name, refreshed_at = now()`,
      [
        operators.map((o) => o.id),
        operators.map((o) => o.name),
        operators.map((o) => o.countryIso),
        operators.map((o) => o.countryName),
      ],
    );
    await rows(
      tx,
      `INSERT INTO topup_products (id, operator_id, name, wholesale, wholesale_asset,
                                   destination_amount, destination_currency, available, refreshed_at)
       SELECT *, true, now() FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[],
                                        $5::text[], $6::text[], $7::text[])
       ON CONFLICT (id) DO UPDATE SET operator_id = EXCLUDED.operator_id, name = EXCLUDED.name,
         wholesale = EXCLUDED.wholesale, wholesale_asset = EXCLUDED.wholesale_asset,
         destination_amount = EXCLUDED.destination_amount,
         destination_currency = EXCLUDED.destination_currency, available = true,
         refreshed_at = now()`,
      [
        products.map((p) => p.id),
        products.map((p) => p.operatorId),
        products.map((p) => p.name),
        products.map((p) => p.wholesale.toString()),
        products.map((p) => p.wholesaleAsset),
        products.map((p) => p.destinationAmount),
        products.map((p) => p.destinationCurrency),
      ],
    );
    // Products the aggregator no longer lists stay (orders reference them) but are not sold.
    await rows(
      tx,
      `UPDATE topup_products SET available = false WHERE available AND NOT (id = ANY($1::bigint[]))`,
      [products.map((p) => p.id)],
    );
  }

  async countOperators(tx: Tx): Promise<number> {
    const [row] = await rows<{ n: number }>(tx, `SELECT count(*)::int AS n FROM topup_operators`);

    return row!.n;
  }

  async productsOf(
    tx: Tx,
    filter: { operatorId?: string; countryIso?: string },
  ): Promise<Product[]> {
    const found = await rows<Raw<Product, 'wholesale'>>(
      tx,
      `SELECT ${PRODUCT} FROM topup_products p JOIN topup_operators o ON o.id = p.operator_id
        WHERE p.available AND ($1::bigint IS NULL OR p.operator_id = $1)
          AND ($2::text IS NULL OR o.country_iso = $2)
        ORDER BY o.name, p.wholesale`,
      [filter.operatorId ?? null, filter.countryIso ?? null],
    );

    return found.map((p) => ({ ...p, wholesale: BigInt(p.wholesale) }));
  }

  async product(tx: Tx, id: string): Promise<Product | undefined> {
    const [found] = await rows<Raw<Product, 'wholesale'>>(
      tx,
      `SELECT ${PRODUCT} FROM topup_products p JOIN topup_operators o ON o.id = p.operator_id
        WHERE p.id = $1`,
      [id],
    );

    return found && { ...found, wholesale: BigInt(found.wholesale) };
  }

  async insertQuote(tx: Tx, quote: Quote): Promise<Quote> {
    const [row] = await rows<Raw<Quote, Money>>(
      tx,
      `INSERT INTO topup_quotes (id, user_id, reseller_id, product_id, phone, asset, cost, fee,
         commission, price, fx_rate, destination_amount, destination_currency, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       RETURNING ${QUOTE}`,
      [
        quote.id,
        quote.userId,
        quote.resellerId,
        quote.productId,
        quote.phone,
        quote.asset,
        quote.cost.toString(),
        quote.fee.toString(),
        quote.commission.toString(),
        quote.price.toString(),
        quote.fxRate,
        quote.destinationAmount,
        quote.destinationCurrency,
        quote.createdAt,
        quote.expiresAt,
      ],
    );

    return withMoney<Quote>(row!);
  }

  /** The quote, locked: two orders from one quote queue here and the second finds it used. */
  async lockQuote(tx: Tx, id: string): Promise<Quote | undefined> {
    const [row] = await rows<Raw<Quote, Money>>(
      tx,
      `SELECT ${QUOTE} FROM topup_quotes WHERE id = $1 FOR UPDATE`,
      [id],
    );

    return row && withMoney<Quote>(row);
  }

  async orderOfQuote(tx: Tx, quoteId: string): Promise<string | undefined> {
    const [row] = await rows<{ id: string }>(
      tx,
      `SELECT id FROM topup_orders WHERE quote_id = $1`,
      [quoteId],
    );

    return row?.id;
  }

  async insertOrder(
    tx: Tx,
    order: Omit<
      Order,
      | 'version'
      | 'attempts'
      | 'createdAt'
      | 'updatedAt'
      | 'aggregatorRef'
      | 'failureReason'
      | 'paidAt'
      | 'deliveredAt'
    >,
  ): Promise<Order> {
    const [row] = await rows<Raw<Order, Money>>(
      tx,
      `INSERT INTO topup_orders (id, quote_id, user_id, reseller_id, api_key_id, product_id, phone,
         asset, cost, fee, commission, price, pay_with, payment_id, hold_id, state, callback_secret,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
               clock_timestamp(), clock_timestamp())
       RETURNING ${ORDER}`,
      [
        order.id,
        order.quoteId,
        order.userId,
        order.resellerId,
        order.apiKeyId,
        order.productId,
        order.phone,
        order.asset,
        order.cost.toString(),
        order.fee.toString(),
        order.commission.toString(),
        order.price.toString(),
        order.payWith,
        order.paymentId,
        order.holdId,
        order.state,
        order.callbackSecret,
      ],
    );

    return withMoney<Order>(row!);
  }

  async find(tx: Tx, id: string): Promise<Order | undefined> {
    const [row] = await rows<Raw<Order, Money>>(
      tx,
      `SELECT ${ORDER} FROM topup_orders WHERE id = $1`,
      [id],
    );

    return row && withMoney<Order>(row);
  }

  /**
   * The transition itself: applies only while the order is still at `version` (a concurrent
   * move wins, this one finds nothing and the caller re-reads). Answers the moved order.
   */
  async transition(
    tx: Tx,
    order: Order,
    to: OrderState,
    patch: OrderPatch,
  ): Promise<Order | undefined> {
    const [row] = await rows<Raw<Order, Money>>(
      tx,
      `UPDATE topup_orders
          SET state = $3, version = version + 1, updated_at = clock_timestamp(),
              payment_id = COALESCE($4, payment_id), hold_id = COALESCE($5, hold_id),
              aggregator_ref = COALESCE($6, aggregator_ref),
              failure_reason = COALESCE($7, failure_reason), attempts = COALESCE($8, attempts),
              paid_at = COALESCE($9, paid_at), delivered_at = COALESCE($10, delivered_at)
        WHERE id = $1 AND version = $2
       RETURNING ${ORDER}`,
      [
        order.id,
        order.version,
        to,
        patch.paymentId ?? null,
        patch.holdId ?? null,
        patch.aggregatorRef ?? null,
        patch.failureReason ?? null,
        patch.attempts ?? null,
        patch.paidAt ?? null,
        patch.deliveredAt ?? null,
      ],
    );

    return row && withMoney<Order>(row);
  }

  /** Records what the aggregator calls the order's transaction (no state change). */
  async setAggregatorRef(tx: Tx, id: string, ref: string): Promise<void> {
    await rows(
      tx,
      `UPDATE topup_orders SET aggregator_ref = $2, updated_at = clock_timestamp() WHERE id = $1`,
      [id, ref],
    );
  }

  /** Counts a status poll that found nothing final (the next poll's attempt follows it). */
  async recordPoll(tx: Tx, id: string, attempt: number): Promise<void> {
    await rows(
      tx,
      `UPDATE topup_orders SET attempts = GREATEST(attempts, $2), updated_at = clock_timestamp()
        WHERE id = $1`,
      [id, attempt],
    );
  }

  async insertEvent(
    tx: Tx,
    orderId: string,
    from: OrderState | null,
    to: OrderState,
    version: number,
    reason: string | null,
  ): Promise<void> {
    await rows(
      tx,
      `INSERT INTO topup_order_events (order_id, from_state, to_state, version, reason)
       VALUES ($1, $2, $3, $4, $5)`,
      [orderId, from, to, version, reason],
    );
  }

  events(tx: Tx, orderId: string): Promise<OrderEvent[]> {
    return rows<OrderEvent>(
      tx,
      `SELECT from_state AS "fromState", to_state AS "toState", version, reason,
              created_at AS "createdAt"
         FROM topup_order_events WHERE order_id = $1 ORDER BY version`,
      [orderId],
    );
  }

  /** Newest first, keyset on seq; each filter applies when given. */
  async page(
    tx: Tx,
    filter: { userId?: string; resellerId?: string; state?: OrderState },
    page: { cursor?: string; limit: number },
  ): Promise<Order[]> {
    const found = await rows<Raw<Order, Money>>(
      tx,
      `SELECT ${ORDER} FROM topup_orders
        WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::uuid IS NULL OR reseller_id = $2)
          AND ($3::text IS NULL OR state = $3)
          AND ($4::uuid IS NULL OR seq < (SELECT seq FROM topup_orders WHERE id = $4))
        ORDER BY seq DESC LIMIT $5`,
      [
        filter.userId ?? null,
        filter.resellerId ?? null,
        filter.state ?? null,
        page.cursor ?? null,
        page.limit,
      ],
    );

    return found.map((row) => withMoney<Order>(row));
  }

  /** Unfinished orders nobody touched for `seconds`: the sweeper re-enqueues their step. */
  async stuck(tx: Tx, seconds: number, limit: number): Promise<Order[]> {
    const found = await rows<Raw<Order, Money>>(
      tx,
      `SELECT ${ORDER} FROM topup_orders
        WHERE state = ANY($1) AND updated_at < clock_timestamp() - make_interval(secs => $2)
        ORDER BY updated_at LIMIT $3`,
      [OPEN_STATES, seconds, limit],
    );

    return found.map((row) => withMoney<Order>(row));
  }

  countByState(tx: Tx): Promise<{ state: OrderState; count: number }[]> {
    return rows(tx, `SELECT state, count(*)::int AS count FROM topup_orders GROUP BY state`);
  }

  async insertReseller(tx: Tx, reseller: Omit<Reseller, 'createdAt'>): Promise<Reseller> {
    const [row] = await rows<Reseller>(
      tx,
      `INSERT INTO topup_resellers (id, name, user_id, asset, fee_bps, commission_bps)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${RESELLER}`,
      [
        reseller.id,
        reseller.name,
        reseller.userId,
        reseller.asset,
        reseller.feeBps,
        reseller.commissionBps,
      ],
    );

    return row!;
  }

  async reseller(tx: Tx, id: string): Promise<Reseller | undefined> {
    const [row] = await rows<Reseller>(
      tx,
      `SELECT ${RESELLER} FROM topup_resellers WHERE id = $1`,
      [id],
    );

    return row;
  }

  resellers(tx: Tx): Promise<Reseller[]> {
    return rows<Reseller>(tx, `SELECT ${RESELLER} FROM topup_resellers ORDER BY created_at DESC`);
  }

  async bindKey(tx: Tx, apiKeyId: string, resellerId: string): Promise<void> {
    await rows(tx, `INSERT INTO topup_reseller_keys (api_key_id, reseller_id) VALUES ($1, $2)`, [
      apiKeyId,
      resellerId,
    ]);
  }

  async resellerOfKey(tx: Tx, apiKeyId: string): Promise<Reseller | undefined> {
    const [row] = await rows<Reseller>(
      tx,
      `SELECT ${RESELLER} FROM topup_resellers
        WHERE id = (SELECT reseller_id FROM topup_reseller_keys WHERE api_key_id = $1)`,
      [apiKeyId],
    );

    return row;
  }
}
