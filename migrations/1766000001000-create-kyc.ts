import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateKyc1766000001000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/kyc: one case per user. National id and birth date are sealed by the application
    // (AES-256-GCM, `<keyId>.<iv>.<tag>.<data>`); the fingerprint (HMAC) matches duplicates.
    await q.query(`
      CREATE TABLE kyc_cases (
        id                 uuid PRIMARY KEY,
        user_id            uuid NOT NULL UNIQUE,
        state              text NOT NULL,
        tier               text NOT NULL DEFAULT 'none' CHECK (tier IN ('none', 'basic', 'full')),
        reviewer_id        uuid,
        first_name         text,
        last_name          text,
        country            text,
        national_id        text,
        national_id_fp     text,
        birth_date         text,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX kyc_cases_queue_idx ON kyc_cases (state, updated_at)`);
    // Every change of a case, with who made it and why; never edited.
    await q.query(`
      CREATE TABLE kyc_events (
        id           bigserial PRIMARY KEY,
        case_id      uuid NOT NULL REFERENCES kyc_cases (id),
        from_state   text NOT NULL,
        to_state     text NOT NULL,
        tier         text NOT NULL,
        actor        text NOT NULL,
        reason_code  text,
        payload_hash text,
        at           timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX kyc_events_case_idx ON kyc_events (case_id, id)`);
    await q.query(`
      CREATE FUNCTION kyc_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'kyc_events is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER kyc_events_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON kyc_events
        FOR EACH STATEMENT EXECUTE FUNCTION kyc_events_immutable()`);
    // What each user used of a limit, per kind and UTC day; the caller's transaction adds to it.
    await q.query(`
      CREATE TABLE kyc_usage (
        user_id uuid NOT NULL,
        kind    text NOT NULL CHECK (kind IN ('buy', 'sell', 'withdrawal')),
        day     date NOT NULL,
        amount  bigint NOT NULL CHECK (amount >= 0),
        PRIMARY KEY (user_id, kind, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE kyc_usage`);
    await q.query(`DROP TABLE kyc_events`);
    await q.query(`DROP FUNCTION kyc_events_immutable()`);
    await q.query(`DROP TABLE kyc_cases`);
  }
}
