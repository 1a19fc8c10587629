import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateLedger1764000001000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Amounts everywhere are bigint minor units of the asset; `scale` says where the point goes.
    await q.query(`
      CREATE TABLE ledger_assets (
        code       text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]{1,11}$'),
        scale      smallint NOT NULL CHECK (scale BETWEEN 0 AND 18),
        name       text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Metals in milligrams (scale 3 of a gram); BTC in satoshis. No 18-decimal tokens: their
    // minor unit would overflow bigint at 9.2 whole coins.
    await q.query(`
      INSERT INTO ledger_assets (code, scale, name) VALUES
        ('USD', 2, 'US dollar'),
        ('EUR', 2, 'Euro'),
        ('GBP', 2, 'Pound sterling'),
        ('CHF', 2, 'Swiss franc'),
        ('JPY', 0, 'Japanese yen'),
        ('XAU', 3, 'Gold, grams'),
        ('XAG', 3, 'Silver, grams'),
        ('XPT', 3, 'Platinum, grams'),
        ('XPD', 3, 'Palladium, grams'),
        ('BTC', 8, 'Bitcoin')`);

    // A user wallet may never be allowed negative (the rules of money, 4). `shards` is fixed at
    // creation: the number of balance rows the account's balance is split into.
    await q.query(`
      CREATE TABLE ledger_accounts (
        id             uuid PRIMARY KEY,
        asset          text NOT NULL REFERENCES ledger_assets (code),
        owner          text NOT NULL,
        kind           text NOT NULL CHECK (kind IN
                         ('user_wallet', 'house', 'fees', 'psp_clearing', 'aggregator_float', 'custodian')),
        allow_negative boolean NOT NULL DEFAULT false,
        shards         smallint NOT NULL DEFAULT 1 CHECK (shards BETWEEN 1 AND 256),
        metadata       jsonb NOT NULL DEFAULT '{}',
        created_at     timestamptz NOT NULL DEFAULT now(),
        CHECK (NOT (kind = 'user_wallet' AND allow_negative)),
        CHECK (allow_negative OR shards = 1)
      )`);
    // accountsOf(owner).
    await q.query(`CREATE INDEX ledger_accounts_owner_idx ON ledger_accounts (owner, asset)`);

    // One row per account (shard 0) or, for allow-negative system accounts, one per shard; the
    // balance is the SUM over the account's rows (a primary-key range read). Credit-normal:
    // posted = credits_posted - debits_posted; available = posted - debits_pending.
    // allow_negative is copied from the account so the CHECK can refuse a negative user balance
    // even if a code path forgot to: the database is the last line of defence.
    await q.query(`
      CREATE TABLE ledger_balances (
        account_id      uuid NOT NULL REFERENCES ledger_accounts (id),
        shard           smallint NOT NULL CHECK (shard >= 0),
        allow_negative  boolean NOT NULL,
        debits_posted   bigint NOT NULL DEFAULT 0,
        credits_posted  bigint NOT NULL DEFAULT 0,
        debits_pending  bigint NOT NULL DEFAULT 0,
        credits_pending bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, shard),
        CONSTRAINT ledger_balances_non_negative CHECK (allow_negative OR (
          debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 AND credits_pending >= 0
          AND credits_posted - debits_posted - debits_pending >= 0))
      )`);

    // The id is the caller's (idempotency key). amount is the created amount (the hold, when
    // two_phase); posted_amount is what moved, set exactly when status = 'posted'.
    await q.query(`
      CREATE TABLE ledger_transfers (
        id                uuid PRIMARY KEY,
        debit_account_id  uuid NOT NULL REFERENCES ledger_accounts (id),
        credit_account_id uuid NOT NULL REFERENCES ledger_accounts (id),
        asset             text NOT NULL REFERENCES ledger_assets (code),
        amount            bigint NOT NULL CHECK (amount > 0),
        posted_amount     bigint CHECK (posted_amount > 0 AND posted_amount <= amount),
        code              text NOT NULL CHECK (code <> ''),
        metadata          jsonb NOT NULL DEFAULT '{}',
        status            text NOT NULL CHECK (status IN ('pending', 'posted', 'voided')),
        two_phase         boolean NOT NULL,
        timeout_seconds   integer CHECK (timeout_seconds > 0),
        timeout_at        timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        posted_at         timestamptz,
        voided_at         timestamptz,
        CHECK (debit_account_id <> credit_account_id),
        CHECK ((status = 'posted') = (posted_amount IS NOT NULL AND posted_at IS NOT NULL)),
        CHECK ((status = 'voided') = (voided_at IS NOT NULL)),
        CHECK (two_phase OR (status = 'posted' AND posted_amount = amount)),
        CHECK ((timeout_seconds IS NULL) = (timeout_at IS NULL) AND (two_phase OR timeout_seconds IS NULL))
      )`);
    // voidExpired (status = 'pending' AND timeout_at <= now ORDER BY timeout_at) and the
    // invariant checker's pending sums and expired scan: small, since holds resolve quickly.
    await q.query(`
      CREATE INDEX ledger_transfers_pending_idx ON ledger_transfers (timeout_at)
       WHERE status = 'pending'`);
    // Transfers of an account (support, reconciliation); also keeps the FKs cheap to check.
    await q.query(
      `CREATE INDEX ledger_transfers_debit_idx ON ledger_transfers (debit_account_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX ledger_transfers_credit_idx ON ledger_transfers (credit_account_id, created_at)`,
    );

    // The journal: append-only lines, two per posting. amount is signed (credit +, debit -), so
    // an account's posted balance is SUM(amount) and each asset's lines SUM to zero.
    // balance_after is the account's posted balance after the line, written under the balance
    // row lock; NULL for sharded accounts, whose statement computes it at read time.
    await q.query(`
      CREATE TABLE ledger_entries (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transfer_id   uuid NOT NULL REFERENCES ledger_transfers (id),
        account_id    uuid NOT NULL REFERENCES ledger_accounts (id),
        asset         text NOT NULL REFERENCES ledger_assets (code),
        amount        bigint NOT NULL CHECK (amount <> 0),
        balance_after bigint,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // statement(): keyset pages newest first (account_id = $1 AND id < $cursor ORDER BY id DESC);
    // INCLUDE (amount) lets the sharded running balance and the checker's sums scan the index only.
    await q.query(`
      CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, id DESC)
       INCLUDE (amount)`);
    // Lines of a transfer (FK from transfers' side, audits).
    await q.query(`CREATE INDEX ledger_entries_transfer_idx ON ledger_entries (transfer_id)`);
    // The journal is immutable: corrections are new transfers, never edits.
    await q.query(`
      CREATE FUNCTION ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_entries is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
         FOR EACH ROW EXECUTE FUNCTION ledger_entries_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_entries`);
    await q.query(`DROP FUNCTION ledger_entries_immutable()`);
    await q.query(`DROP TABLE ledger_transfers`);
    await q.query(`DROP TABLE ledger_balances`);
    await q.query(`DROP TABLE ledger_accounts`);
    await q.query(`DROP TABLE ledger_assets`);
  }
}
