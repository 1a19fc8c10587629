import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentity1766240000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Accounts made before verification existed keep working: they count as verified.
    await q.query(`ALTER TABLE users ADD COLUMN email_verified_at timestamptz`);
    await q.query(`UPDATE users SET email_verified_at = created_at`);
    // TOTP: the secret is encrypted (AES-GCM, key derived from JWT_SECRET); set and not yet
    // enabled while an enrolment waits for its first code. `totp_last_step` is the last time step
    // a code was accepted for, so a code is used once within its window.
    await q.query(`
      ALTER TABLE users
        ADD COLUMN totp_secret     bytea,
        ADD COLUMN totp_enabled_at timestamptz,
        ADD COLUMN totp_last_step  bigint`);
    await q.query(`
      CREATE TABLE recovery_codes (
        id         uuid PRIMARY KEY,
        user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash  bytea NOT NULL,
        used_at    timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id)`);
    // E-mailed single-use tokens (verification, password reset); only the secret's hash is kept.
    // A reset asked for an unknown address has no user: it records the request, which is
    // rate-limited alike, and the notice sent to that address.
    await q.query(`
      CREATE TABLE email_tokens (
        id          uuid PRIMARY KEY,
        purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
        user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
        email       text NOT NULL,
        secret_hash bytea NOT NULL,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX email_tokens_email_idx ON email_tokens (email, purpose, created_at DESC)`,
    );
    await q.query(`CREATE INDEX email_tokens_user_idx ON email_tokens (user_id)`);
    // One row per session (a refresh-token family): where it was opened and last refreshed, and
    // when it last proved a second factor.
    await q.query(`
      CREATE TABLE auth_sessions (
        id            uuid PRIMARY KEY,
        user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_used_at  timestamptz NOT NULL DEFAULT now(),
        ip            text,
        user_agent    text,
        stepped_up_at timestamptz
      )`);
    await q.query(`CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id, created_at)`);
    // A subject at an external OpenID Connect provider, mapped to the local user made on first use.
    await q.query(`
      CREATE TABLE external_identities (
        issuer     text NOT NULL,
        subject    text NOT NULL,
        user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (issuer, subject)
      )`);
    await q.query(`CREATE INDEX external_identities_user_idx ON external_identities (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE external_identities`);
    await q.query(`DROP TABLE auth_sessions`);
    await q.query(`DROP TABLE email_tokens`);
    await q.query(`DROP TABLE recovery_codes`);
    await q.query(`
      ALTER TABLE users
        DROP COLUMN totp_last_step,
        DROP COLUMN totp_enabled_at,
        DROP COLUMN totp_secret,
        DROP COLUMN email_verified_at`);
  }
}
