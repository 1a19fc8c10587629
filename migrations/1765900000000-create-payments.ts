import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1765900000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/payments: one row per payment intent. `captured` and `refunded` are the cumulative
    // amounts already settled in the ledger; the CHECKs are the last line behind the service's
    // conditional updates: never more captured than authorised, never more refunded than captured.
    await q.query(`
      CREATE TABLE payments (
        id             uuid PRIMARY KEY,
        owner_id       uuid NOT NULL REFERENCES users (id),
        purpose        text NOT NULL,
        provider       text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
        capture_mode   text NOT NULL CHECK (capture_mode IN ('automatic', 'manual')),
        asset          text NOT NULL REFERENCES ledger_assets (code),
        amount         bigint NOT NULL CHECK (amount > 0),
        captured       bigint NOT NULL DEFAULT 0,
        refunded       bigint NOT NULL DEFAULT 0,
        state          text NOT NULL DEFAULT 'requires_action'
                       CHECK (state IN ('requires_action', 'processing', 'requires_capture',
                                        'succeeded', 'failed', 'cancelled')),
        provider_ref   text,
        client_secret  text,
        approval_url   text,
        decline_code   text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CHECK (captured BETWEEN 0 AND amount),
        CHECK (refunded BETWEEN 0 AND captured),
        UNIQUE (provider, provider_ref)
      )`);
    await q.query(`CREATE INDEX payments_owner_idx ON payments (owner_id, id)`);
    // What the provider reported of each try to pay an intent (a charge, a decline).
    await q.query(`
      CREATE TABLE payment_attempts (
        id            uuid PRIMARY KEY,
        payment_id    uuid NOT NULL REFERENCES payments (id),
        provider_ref  text NOT NULL,
        outcome       text NOT NULL CHECK (outcome IN ('authorized', 'captured', 'declined')),
        decline_code  text,
        retryable     boolean,
        created_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (payment_id, provider_ref),
        CHECK ((outcome = 'declined') = (decline_code IS NOT NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_attempts`);
    await q.query(`DROP TABLE payments`);
  }
}
