import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOutbox1764000000300 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Jobs written in the transaction that causes them; the worker's relay moves them into Bull.
    // `job_id` is the business key (Bull's job id too), so enqueuing the same work twice collapses.
    // `checked_at` is when Bull last had the job; `attempts` counts hand-offs to Bull (above one
    // means the job was enqueued again after Redis lost it).
    await q.query(`
      CREATE TABLE outbox (
        id           bigserial PRIMARY KEY,
        queue        text NOT NULL,
        name         text NOT NULL,
        job_id       text NOT NULL UNIQUE,
        payload      jsonb NOT NULL,
        delay_ms     bigint NOT NULL DEFAULT 0 CHECK (delay_ms >= 0),
        created_at   timestamptz NOT NULL DEFAULT now(),
        enqueued_at  timestamptz,
        checked_at   timestamptz,
        completed_at timestamptz,
        failed_at    timestamptz,
        last_error   text,
        attempts     int NOT NULL DEFAULT 0
      )`);
    // The relay's scan: unsent rows in insertion order.
    await q.query(`CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE enqueued_at IS NULL`);
    // The reconcile scan: enqueued, unfinished rows, least recently checked first.
    await q.query(`
      CREATE INDEX outbox_unfinished_idx ON outbox (checked_at)
       WHERE enqueued_at IS NOT NULL AND completed_at IS NULL AND failed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
  }
}
