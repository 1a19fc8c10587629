import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUploads1765800000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/storage: one row per presigned upload. The bytes live in S3 (incoming_key until
    // verified, then object_key); the row says what was declared and what the check found.
    await q.query(`
      CREATE TABLE uploads (
        id                uuid PRIMARY KEY,
        owner_id          uuid NOT NULL,
        purpose           text NOT NULL,
        incoming_key      text NOT NULL UNIQUE,
        object_key        text NOT NULL UNIQUE,
        content_type      text NOT NULL,
        size              bigint NOT NULL CHECK (size > 0),
        state             text NOT NULL DEFAULT 'pending'
                          CHECK (state IN ('pending', 'verified', 'rejected', 'expired')),
        reject_reason     text,
        sha256            text,
        thumbnail_state   text NOT NULL DEFAULT 'none'
                          CHECK (thumbnail_state IN ('none', 'pending', 'ready', 'failed')),
        created_at        timestamptz NOT NULL DEFAULT now(),
        upload_expires_at timestamptz NOT NULL,
        settled_at        timestamptz,
        CHECK ((state = 'rejected') = (reject_reason IS NOT NULL)),
        CHECK ((state = 'verified') = (sha256 IS NOT NULL)),
        CHECK ((state = 'pending') = (settled_at IS NULL))
      )`);
    // The sweep reads the oldest pending uploads; settled ones leave this index.
    await q.query(
      `CREATE INDEX uploads_pending_idx ON uploads (created_at) WHERE state = 'pending'`,
    );
    await q.query(`CREATE INDEX uploads_owner_idx ON uploads (owner_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE uploads`);
  }
}
