import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTrading1766000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/trading: a quote locks a price and the amounts for a few seconds; an order executes
    // one quote (UNIQUE quote_id) and commits with its ledger batch.
    await q.query(`
      CREATE TABLE trading_quotes (
        id          uuid PRIMARY KEY,
        user_id     uuid NOT NULL,
        metal       text NOT NULL,
        side        text NOT NULL CHECK (side IN ('buy', 'sell')),
        price       bigint NOT NULL CHECK (price > 0),
        mid         bigint NOT NULL CHECK (mid > 0),
        price_scale smallint NOT NULL,
        weight      bigint NOT NULL CHECK (weight > 0),
        gross       bigint NOT NULL CHECK (gross > 0),
        fee         bigint NOT NULL CHECK (fee >= 0),
        total       bigint NOT NULL CHECK (total > 0),
        price_at    timestamptz NOT NULL,
        created_at  timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE trading_orders (
        id          uuid PRIMARY KEY,
        seq         bigserial NOT NULL UNIQUE,
        quote_id    uuid NOT NULL UNIQUE REFERENCES trading_quotes (id),
        user_id     uuid NOT NULL,
        metal       text NOT NULL,
        side        text NOT NULL CHECK (side IN ('buy', 'sell')),
        price       bigint NOT NULL,
        price_scale smallint NOT NULL,
        weight      bigint NOT NULL,
        gross       bigint NOT NULL,
        fee         bigint NOT NULL,
        total       bigint NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX trading_orders_user_idx ON trading_orders (user_id, seq)`);
    // Cost basis per user and metal, moved by each order in its transaction.
    await q.query(`
      CREATE TABLE trading_positions (
        user_id uuid NOT NULL,
        metal   text NOT NULL,
        weight  bigint NOT NULL CHECK (weight >= 0),
        cost    bigint NOT NULL CHECK (cost >= 0),
        PRIMARY KEY (user_id, metal)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE trading_positions`);
    await q.query(`DROP TABLE trading_orders`);
    await q.query(`DROP TABLE trading_quotes`);
  }
}
