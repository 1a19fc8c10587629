import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePaymentReconciliations1766220001000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/payments: one run per provider and window, matching the provider's settlement report
    // against our payments, payouts and their ledger transfers. Results only: nothing corrects.
    await q.query(`
      CREATE TABLE payment_recon_runs (
        id           uuid PRIMARY KEY,
        provider     text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
        window_from  timestamptz NOT NULL,
        window_to    timestamptz NOT NULL,
        lines        integer NOT NULL,
        exceptions   integer NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CHECK (window_from < window_to)
      )`);
    await q.query(
      `CREATE INDEX payment_recon_runs_provider_idx ON payment_recon_runs (provider, created_at DESC)`,
    );
    // One line per subject (payment or payout) and kind of movement, with both sides' totals.
    await q.query(`
      CREATE TABLE payment_recon_lines (
        id               uuid PRIMARY KEY,
        run_id           uuid NOT NULL REFERENCES payment_recon_runs (id) ON DELETE CASCADE,
        kind             text NOT NULL CHECK (kind IN ('capture', 'refund', 'fee', 'payout')),
        status           text NOT NULL CHECK (status IN ('matched', 'missing_in_ledger',
                           'missing_in_provider', 'amount_mismatch', 'expected')),
        payment_id       uuid,
        payout_id        uuid,
        provider_ref     text,
        asset            text NOT NULL,
        provider_amount  bigint,
        ledger_amount    bigint
      )`);
    await q.query(
      `CREATE INDEX payment_recon_lines_run_idx ON payment_recon_lines (run_id, status)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_recon_lines`);
    await q.query(`DROP TABLE payment_recon_runs`);
  }
}
