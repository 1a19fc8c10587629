import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdempotencyKeys1764000000200 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // One row per (caller, Idempotency-Key). `lock_id` names the request holding an in_progress
    // row, so a request whose stale lock was taken over can neither complete nor release it.
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope            text NOT NULL,
        key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        method           text NOT NULL,
        path             text NOT NULL,
        request_hash     text NOT NULL,
        state            text NOT NULL CHECK (state IN ('in_progress', 'completed')),
        lock_id          uuid,
        response_status  int,
        response_body    jsonb,
        response_headers jsonb,
        created_at       timestamptz NOT NULL DEFAULT now(),
        locked_at        timestamptz NOT NULL DEFAULT now(),
        expires_at       timestamptz NOT NULL,
        PRIMARY KEY (scope, key),
        CHECK (state = 'in_progress' OR response_status IS NOT NULL)
      )`);
    // The purge deletes by expiry in batches.
    await q.query(`CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
