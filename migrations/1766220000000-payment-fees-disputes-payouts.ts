import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PaymentFeesDisputesPayouts1766220000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // The provider's fee on a payment as reported so far (cumulative, settled in the ledger).
    await q.query(`ALTER TABLE payments ADD COLUMN fee bigint NOT NULL DEFAULT 0 CHECK (fee >= 0)`);
    // One row per dispute (chargeback) the provider opened on a payment; `status` only moves
    // from `open` to `won` or `lost`, each step one ledger transfer.
    await q.query(`
      CREATE TABLE payment_disputes (
        id               uuid PRIMARY KEY,
        payment_id       uuid NOT NULL REFERENCES payments (id),
        provider         text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
        provider_ref     text NOT NULL,
        asset            text NOT NULL REFERENCES ledger_assets (code),
        amount           bigint NOT NULL CHECK (amount > 0),
        status           text NOT NULL CHECK (status IN ('open', 'won', 'lost')),
        reason           text,
        evidence_due_by  timestamptz,
        alerted_at       timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        UNIQUE (provider, provider_ref)
      )`);
    // The deadline check reads the open disputes nobody was warned about yet.
    await q.query(`
      CREATE INDEX payment_disputes_due_idx ON payment_disputes (evidence_due_by)
        WHERE status = 'open' AND alerted_at IS NULL`);
    // Withdrawals to a PayPal account: the amount is held in the ledger (`hold_transfer_id`, a
    // pending transfer) from the request until PayPal pays it (posted) or gives up (voided).
    await q.query(`
      CREATE TABLE payouts (
        id                 uuid PRIMARY KEY,
        owner_id           uuid NOT NULL REFERENCES users (id),
        asset              text NOT NULL REFERENCES ledger_assets (code),
        amount             bigint NOT NULL CHECK (amount > 0),
        receiver           text NOT NULL,
        state              text NOT NULL DEFAULT 'pending'
                           CHECK (state IN ('pending', 'in_transit', 'paid', 'failed', 'returned')),
        hold_transfer_id   uuid NOT NULL,
        provider_batch_id  text UNIQUE,
        provider_item_id   text UNIQUE,
        provider_status    text,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX payouts_owner_idx ON payouts (owner_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payouts`);
    await q.query(`DROP TABLE payment_disputes`);
    await q.query(`ALTER TABLE payments DROP COLUMN fee`);
  }
}
