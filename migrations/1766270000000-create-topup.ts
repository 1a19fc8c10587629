import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTopup1766270000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/orders: the aggregator's catalogue, cached and refreshed by a job (ids are its own).
    await q.query(`
      CREATE TABLE topup_operators (
        id           bigint PRIMARY KEY,
        name         text NOT NULL,
        country_iso  text NOT NULL,
        country_name text NOT NULL,
        refreshed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX topup_operators_country_idx ON topup_operators (country_iso)`);
    await q.query(`
      CREATE TABLE topup_products (
        id                   bigint PRIMARY KEY,
        operator_id          bigint NOT NULL REFERENCES topup_operators (id),
        name                 text NOT NULL,
        wholesale            bigint NOT NULL CHECK (wholesale > 0),
        wholesale_asset      text NOT NULL,
        destination_amount   text NOT NULL,
        destination_currency text NOT NULL,
        available            boolean NOT NULL,
        refreshed_at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX topup_products_operator_idx ON topup_products (operator_id)`);
    // Resellers: a platform user owns the float (its wallet); API keys are bound to one reseller.
    await q.query(`
      CREATE TABLE topup_resellers (
        id             uuid PRIMARY KEY,
        name           text NOT NULL,
        user_id        uuid NOT NULL UNIQUE REFERENCES users (id),
        asset          text NOT NULL,
        fee_bps        integer NOT NULL CHECK (fee_bps BETWEEN 0 AND 10000),
        commission_bps integer NOT NULL CHECK (commission_bps BETWEEN 0 AND fee_bps),
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE topup_reseller_keys (
        api_key_id  uuid PRIMARY KEY REFERENCES api_keys (id),
        reseller_id uuid NOT NULL REFERENCES topup_resellers (id)
      )`);
    await q.query(`
      CREATE TABLE topup_quotes (
        id                   uuid PRIMARY KEY,
        user_id              uuid NOT NULL,
        reseller_id          uuid REFERENCES topup_resellers (id),
        product_id           bigint NOT NULL REFERENCES topup_products (id),
        phone                text NOT NULL,
        asset                text NOT NULL,
        cost                 bigint NOT NULL CHECK (cost > 0),
        fee                  bigint NOT NULL CHECK (fee >= 0),
        commission           bigint NOT NULL CHECK (commission >= 0 AND commission <= fee),
        price                bigint NOT NULL CHECK (price = cost + fee),
        fx_rate              text NOT NULL,
        destination_amount   text NOT NULL,
        destination_currency text NOT NULL,
        created_at           timestamptz NOT NULL,
        expires_at           timestamptz NOT NULL
      )`);
    // One order per quote. State moves only by a conditional update on version, with an event
    // row in the same transaction (libs/orders/src/order-states.ts declares the transitions).
    await q.query(`
      CREATE TABLE topup_orders (
        id               uuid PRIMARY KEY,
        seq              bigserial NOT NULL UNIQUE,
        quote_id         uuid NOT NULL UNIQUE REFERENCES topup_quotes (id),
        user_id          uuid NOT NULL,
        reseller_id      uuid REFERENCES topup_resellers (id),
        api_key_id       uuid,
        product_id       bigint NOT NULL REFERENCES topup_products (id),
        phone            text NOT NULL,
        asset            text NOT NULL,
        cost             bigint NOT NULL,
        fee              bigint NOT NULL,
        commission       bigint NOT NULL,
        price            bigint NOT NULL,
        pay_with         text NOT NULL CHECK (pay_with IN ('wallet', 'float', 'stripe', 'paypal')),
        payment_id       uuid,
        hold_id          uuid,
        state            text NOT NULL CHECK (state IN ('created', 'payment_pending', 'paid',
                           'submitted', 'delivered', 'failed', 'refunding', 'refunded',
                           'cancelled', 'expired')),
        version          integer NOT NULL DEFAULT 0,
        callback_secret  text NOT NULL,
        aggregator_ref   text,
        failure_reason   text,
        attempts         integer NOT NULL DEFAULT 0,
        paid_at          timestamptz,
        delivered_at     timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX topup_orders_user_idx ON topup_orders (user_id, seq)`);
    await q.query(`CREATE INDEX topup_orders_reseller_idx ON topup_orders (reseller_id, seq)`);
    // The sweeper's scan: unfinished orders by age.
    await q.query(`
      CREATE INDEX topup_orders_open_idx ON topup_orders (updated_at)
       WHERE state NOT IN ('delivered', 'refunded', 'cancelled', 'expired')`);
    await q.query(`
      CREATE TABLE topup_order_events (
        id         bigserial PRIMARY KEY,
        order_id   uuid NOT NULL REFERENCES topup_orders (id),
        from_state text,
        to_state   text NOT NULL,
        version    integer NOT NULL,
        reason     text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (order_id, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE topup_order_events`);
    await q.query(`DROP TABLE topup_orders`);
    await q.query(`DROP TABLE topup_quotes`);
    await q.query(`DROP TABLE topup_reseller_keys`);
    await q.query(`DROP TABLE topup_resellers`);
    await q.query(`DROP TABLE topup_products`);
    await q.query(`DROP TABLE topup_operators`);
  }
}
