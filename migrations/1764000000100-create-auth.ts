import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuth1764000000100 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Emails are stored lowercased (the CHECK keeps it so) and are unique as stored: no citext.
    await q.query(`
      CREATE TABLE users (
        id            uuid PRIMARY KEY,
        email         text NOT NULL CHECK (email = lower(email)),
        password_hash text NOT NULL,
        role          text NOT NULL CHECK (role IN ('user', 'admin')),
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (email)`);

    // One row per issued refresh token; rotation chains share a family_id so reuse of any one of
    // them revokes the lot. Only a SHA-256 of the secret is kept.
    await q.query(`
      CREATE TABLE refresh_tokens (
        id          uuid PRIMARY KEY,
        family_id   uuid NOT NULL,
        user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        secret_hash bytea NOT NULL,
        expires_at  timestamptz NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        used_at     timestamptz,
        revoked_at  timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id)`);

    // A key belongs to the integration, not to the admin who made it: deleting that admin keeps
    // the key working and only forgets who created it.
    await q.query(`
      CREATE TABLE api_keys (
        id           uuid PRIMARY KEY,
        name         text NOT NULL,
        secret_hash  bytea NOT NULL,
        scopes       text[] NOT NULL DEFAULT '{}',
        created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_created_by_idx ON api_keys (created_by)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE users`);
  }
}
