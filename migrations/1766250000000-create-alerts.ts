import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAlerts1766250000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/alerts: a user's price alert rules. Prices and percents are decimal text (exact);
    // armed_after_* is the symbol's last evaluated tick when the rule was (re)armed, so crossings
    // need a sample taken after it. last_fired_* is the frequency's state, guarded by the
    // conditional update that fires it; revision changes with every edit by the owner, so an
    // evaluator holding an older copy of the rule cannot fire it.
    await q.query(`
      CREATE TABLE alert_rules (
        id                   uuid PRIMARY KEY,
        user_id              uuid NOT NULL REFERENCES users (id),
        symbol               text NOT NULL,
        operator             text NOT NULL,
        value                text,
        lower                text,
        upper                text,
        bars                 int,
        timeframe            text NOT NULL,
        frequency            text NOT NULL,
        min_interval_seconds int NOT NULL DEFAULT 0,
        expires_at           timestamptz,
        message              text,
        channels             text[] NOT NULL,
        revision             int NOT NULL DEFAULT 1,
        status               text NOT NULL CHECK (status IN ('active', 'paused', 'fired', 'expired')),
        armed_after_seq      bigint NOT NULL,
        armed_after_ts       bigint NOT NULL,
        last_fired_key       text,
        last_fired_at        bigint,
        fire_count           int NOT NULL DEFAULT 0,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX alert_rules_user_idx ON alert_rules (user_id, created_at, id)`);
    await q.query(
      `CREATE INDEX alert_rules_active_symbol_idx ON alert_rules (symbol) WHERE status = 'active'`,
    );
    // The evaluators' durable state per symbol: the last tick evaluated (guards every tick's
    // transaction, so a tick is evaluated once) and the closes of finished bars per timeframe.
    await q.query(`
      CREATE TABLE alert_symbol_state (
        symbol     text PRIMARY KEY,
        last_seq   bigint NOT NULL,
        last_price text NOT NULL,
        last_ts    bigint NOT NULL,
        bars       jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A user's ordered event stream: the last seq handed out and the cursor clients acknowledged.
    await q.query(`
      CREATE TABLE alert_streams (
        user_id    uuid PRIMARY KEY REFERENCES users (id),
        last_seq   bigint NOT NULL,
        acked_seq  bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per firing; the id is derived from (rule, trigger key), so a fire is stored once.
    // No foreign key to the rule: deleting a rule must not cut holes in the user's stream.
    await q.query(`
      CREATE TABLE alert_events (
        id           uuid PRIMARY KEY,
        user_id      uuid NOT NULL REFERENCES users (id),
        seq          bigint NOT NULL,
        rule_id      uuid NOT NULL,
        trigger_key  text NOT NULL,
        symbol       text NOT NULL,
        operator     text NOT NULL,
        price        text NOT NULL,
        tick_seq     bigint NOT NULL,
        tick_ts      bigint NOT NULL,
        message      text,
        fired_at     timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, seq),
        UNIQUE (rule_id, trigger_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alert_events`);
    await q.query(`DROP TABLE alert_streams`);
    await q.query(`DROP TABLE alert_symbol_state`);
    await q.query(`DROP TABLE alert_rules`);
  }
}
