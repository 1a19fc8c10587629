import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWebhooks1766100001000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/notifications: partners' endpoints. The secret signs every delivery, so it is kept
    // (not hashed); after a rotation the previous one signs too until previous_expires_at.
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id                  uuid PRIMARY KEY,
        owner               text NOT NULL,
        url                 text NOT NULL,
        event_types         text[] NOT NULL CHECK (cardinality(event_types) > 0),
        secret              text NOT NULL,
        previous_secret     text,
        previous_expires_at timestamptz,
        enabled             boolean NOT NULL DEFAULT true,
        disabled_reason     text,
        failing_since       timestamptz,
        created_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_owner_idx ON webhook_endpoints (owner, id)`);
    await q.query(
      `CREATE INDEX webhook_endpoints_types_idx ON webhook_endpoints USING gin (event_types)
        WHERE enabled`,
    );
    // One row per published event; its id is the deliveries' webhook-id.
    await q.query(`
      CREATE TABLE webhook_messages (
        id           uuid PRIMARY KEY,
        event_type   text NOT NULL,
        payload      jsonb NOT NULL,
        owner_filter text,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_messages_time_idx ON webhook_messages (created_at)`);
    // A message to one endpoint; `attempts` numbers the next attempt's job, so each is sent once.
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id           uuid PRIMARY KEY,
        message_id   uuid NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
        endpoint_id  uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        state        text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'succeeded', 'failed')),
        attempts     int NOT NULL DEFAULT 0,
        created_at   timestamptz NOT NULL DEFAULT now(),
        settled_at   timestamptz,
        UNIQUE (message_id, endpoint_id)
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC)`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (created_at)
        WHERE state = 'pending'`,
    );
    await q.query(`
      CREATE TABLE webhook_attempts (
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempt     int NOT NULL,
        at          timestamptz NOT NULL DEFAULT now(),
        status      int,
        latency_ms  int NOT NULL,
        response    text,
        error       text,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_messages`);
    await q.query(`DROP TABLE webhook_endpoints`);
  }
}
