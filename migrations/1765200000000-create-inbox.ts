import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInbox1765200000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Events providers sent us (webhooks), stored once each after their signature verified:
    // (provider, event_id) is unique, so a redelivery stores nothing new. `attempts` counts
    // processing runs, `last_error` keeps the latest failure even once a retry succeeded.
    await q.query(`
      CREATE TABLE inbox (
        id           bigserial PRIMARY KEY,
        provider     text NOT NULL,
        event_id     text NOT NULL,
        event_type   text NOT NULL,
        payload      jsonb NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        attempts     int NOT NULL DEFAULT 0,
        last_error   text,
        UNIQUE (provider, event_id)
      )`);
    // The lag gauge's oldest unprocessed row and the sweep's scan: unprocessed rows by age.
    await q.query(
      `CREATE INDEX inbox_unprocessed_idx ON inbox (received_at) WHERE processed_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inbox`);
  }
}
