import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The function as this migration leaves it. */
const LEDGER_POST_TRANSFER_V2 = `
      CREATE OR REPLACE FUNCTION ledger_post_transfer(
        p_id uuid, p_debit uuid, p_credit uuid, p_asset text, p_amount bigint, p_code text,
        p_metadata jsonb, p_two_phase boolean, p_timeout_seconds integer,
        OUT outcome text, OUT missing_account uuid, OUT debit_asset text, OUT credit_asset text,
        OUT transfer ledger_transfers)
      LANGUAGE plpgsql AS $$
      DECLARE
        d ledger_accounts;
        c ledger_accounts;
        -- A sharded (allow-negative) account takes a random shard: concurrent transfers spread.
        d_shard smallint;
        c_shard smallint;
        d_after bigint;
        c_after bigint;
      BEGIN
        SELECT * INTO d FROM ledger_accounts WHERE id = p_debit;
        SELECT * INTO c FROM ledger_accounts WHERE id = p_credit;
        IF d.id IS NULL OR c.id IS NULL THEN
          outcome := 'account_not_found';
          missing_account := CASE WHEN d.id IS NULL THEN p_debit ELSE p_credit END;
          RETURN;
        END IF;
        IF d.asset <> p_asset OR c.asset <> p_asset THEN
          outcome := 'asset_mismatch';
          debit_asset := d.asset;
          credit_asset := c.asset;
          RETURN;
        END IF;

        INSERT INTO ledger_transfers AS t (id, debit_account_id, credit_account_id, asset, amount,
                                           posted_amount, code, metadata, status, two_phase,
                                           timeout_seconds, timeout_at, posted_at)
        VALUES (p_id, p_debit, p_credit, p_asset, p_amount,
                CASE WHEN p_two_phase THEN NULL ELSE p_amount END, p_code, p_metadata,
                CASE WHEN p_two_phase THEN 'pending' ELSE 'posted' END, p_two_phase,
                p_timeout_seconds, now() + make_interval(secs => p_timeout_seconds),
                CASE WHEN p_two_phase THEN NULL ELSE now() END)
        ON CONFLICT (id) DO NOTHING
        RETURNING t.* INTO transfer;
        IF transfer.id IS NULL THEN
          -- A new statement, a new snapshot (READ COMMITTED): the row ON CONFLICT waited for.
          SELECT t.* INTO transfer FROM ledger_transfers t WHERE t.id = p_id;
          outcome := 'exists';
          RETURN;
        END IF;

        d_shard := CASE WHEN d.shards > 1 THEN floor(random() * d.shards) ELSE 0 END;
        c_shard := CASE WHEN c.shards > 1 THEN floor(random() * c.shards) ELSE 0 END;
        PERFORM FROM ledger_balances b
          WHERE (b.account_id = p_debit AND b.shard = d_shard)
             OR (b.account_id = p_credit AND b.shard = c_shard)
          ORDER BY b.account_id, b.shard
            FOR UPDATE;

        -- Both rows are locked: the checks are exact under concurrency (available = posted -
        -- held; no counter past 2^63-1, which would otherwise raise and abort the caller).
        UPDATE ledger_balances b
           SET debits_posted  = b.debits_posted + CASE WHEN p_two_phase THEN 0 ELSE p_amount END,
               debits_pending = b.debits_pending + CASE WHEN p_two_phase THEN p_amount ELSE 0 END
         WHERE b.account_id = p_debit AND b.shard = d_shard
           AND (d.allow_negative OR b.credits_posted - b.debits_posted - b.debits_pending >= p_amount)
           AND CASE WHEN p_two_phase THEN b.debits_pending ELSE b.debits_posted END
               <= 9223372036854775807 - p_amount
        RETURNING b.credits_posted - b.debits_posted INTO d_after;
        IF NOT FOUND THEN
          -- Leaves the id free for a corrected retry, as a refused batch member does.
          DELETE FROM ledger_transfers WHERE id = p_id;
          transfer := NULL;
          SELECT CASE WHEN d.allow_negative
                        OR b.credits_posted - b.debits_posted - b.debits_pending >= p_amount
                      THEN 'balance_overflow' ELSE 'insufficient_funds' END
            INTO outcome
            FROM ledger_balances b WHERE b.account_id = p_debit AND b.shard = d_shard;
          RETURN;
        END IF;
        UPDATE ledger_balances b
           SET credits_posted  = b.credits_posted + CASE WHEN p_two_phase THEN 0 ELSE p_amount END,
               credits_pending = b.credits_pending + CASE WHEN p_two_phase THEN p_amount ELSE 0 END
         WHERE b.account_id = p_credit AND b.shard = c_shard
           AND CASE WHEN p_two_phase THEN b.credits_pending ELSE b.credits_posted END
               <= 9223372036854775807 - p_amount
        RETURNING b.credits_posted - b.debits_posted INTO c_after;
        IF NOT FOUND THEN
          -- The debit above is undone in the same transaction; nothing of the transfer stays.
          UPDATE ledger_balances b
             SET debits_posted  = b.debits_posted - CASE WHEN p_two_phase THEN 0 ELSE p_amount END,
                 debits_pending = b.debits_pending - CASE WHEN p_two_phase THEN p_amount ELSE 0 END
           WHERE b.account_id = p_debit AND b.shard = d_shard;
          DELETE FROM ledger_transfers WHERE id = p_id;
          transfer := NULL;
          outcome := 'balance_overflow';
          RETURN;
        END IF;

        IF NOT p_two_phase THEN
          -- balance_after only where one row holds the whole balance (see create-ledger).
          INSERT INTO ledger_entries (transfer_id, account_id, asset, amount, balance_after)
          VALUES (p_id, p_debit, p_asset, -p_amount, CASE WHEN d.shards = 1 THEN d_after END),
                 (p_id, p_credit, p_asset, p_amount, CASE WHEN c.shards = 1 THEN c_after END);
        END IF;
        outcome := 'created';
      END $$`;

/**
 * `ledger_post_transfer` refuses a transfer that would take a balance counter past 2^63-1 with
 * the outcome `balance_overflow`, like its other refusals, instead of letting the bigint column
 * raise: a raise aborted the caller's outer transaction, which a refusal must leave usable. Two
 * comparisons in the updates' WHERE; the extra reads and writes happen only when refusing.
 */
export class LedgerPostTransferOverflow1764000005000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(LEDGER_POST_TRANSFER_V2);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(LEDGER_POST_TRANSFER_V1);
  }
}

/** The function as 1764000001100 made it, which `down` restores (each migration keeps its own copy). */
const LEDGER_POST_TRANSFER_V1 = `
      CREATE OR REPLACE FUNCTION ledger_post_transfer(
        p_id uuid, p_debit uuid, p_credit uuid, p_asset text, p_amount bigint, p_code text,
        p_metadata jsonb, p_two_phase boolean, p_timeout_seconds integer,
        OUT outcome text, OUT missing_account uuid, OUT debit_asset text, OUT credit_asset text,
        OUT transfer ledger_transfers)
      LANGUAGE plpgsql AS $$
      DECLARE
        d ledger_accounts;
        c ledger_accounts;
        -- A sharded (allow-negative) account takes a random shard: concurrent transfers spread.
        d_shard smallint;
        c_shard smallint;
        d_after bigint;
        c_after bigint;
      BEGIN
        SELECT * INTO d FROM ledger_accounts WHERE id = p_debit;
        SELECT * INTO c FROM ledger_accounts WHERE id = p_credit;
        IF d.id IS NULL OR c.id IS NULL THEN
          outcome := 'account_not_found';
          missing_account := CASE WHEN d.id IS NULL THEN p_debit ELSE p_credit END;
          RETURN;
        END IF;
        IF d.asset <> p_asset OR c.asset <> p_asset THEN
          outcome := 'asset_mismatch';
          debit_asset := d.asset;
          credit_asset := c.asset;
          RETURN;
        END IF;

        INSERT INTO ledger_transfers AS t (id, debit_account_id, credit_account_id, asset, amount,
                                           posted_amount, code, metadata, status, two_phase,
                                           timeout_seconds, timeout_at, posted_at)
        VALUES (p_id, p_debit, p_credit, p_asset, p_amount,
                CASE WHEN p_two_phase THEN NULL ELSE p_amount END, p_code, p_metadata,
                CASE WHEN p_two_phase THEN 'pending' ELSE 'posted' END, p_two_phase,
                p_timeout_seconds, now() + make_interval(secs => p_timeout_seconds),
                CASE WHEN p_two_phase THEN NULL ELSE now() END)
        ON CONFLICT (id) DO NOTHING
        RETURNING t.* INTO transfer;
        IF transfer.id IS NULL THEN
          -- A new statement, a new snapshot (READ COMMITTED): the row ON CONFLICT waited for.
          SELECT t.* INTO transfer FROM ledger_transfers t WHERE t.id = p_id;
          outcome := 'exists';
          RETURN;
        END IF;

        d_shard := CASE WHEN d.shards > 1 THEN floor(random() * d.shards) ELSE 0 END;
        c_shard := CASE WHEN c.shards > 1 THEN floor(random() * c.shards) ELSE 0 END;
        PERFORM FROM ledger_balances b
          WHERE (b.account_id = p_debit AND b.shard = d_shard)
             OR (b.account_id = p_credit AND b.shard = c_shard)
          ORDER BY b.account_id, b.shard
            FOR UPDATE;

        -- Both rows are locked: the check is exact under concurrency (available = posted - held).
        UPDATE ledger_balances b
           SET debits_posted  = b.debits_posted + CASE WHEN p_two_phase THEN 0 ELSE p_amount END,
               debits_pending = b.debits_pending + CASE WHEN p_two_phase THEN p_amount ELSE 0 END
         WHERE b.account_id = p_debit AND b.shard = d_shard
           AND (d.allow_negative OR b.credits_posted - b.debits_posted - b.debits_pending >= p_amount)
        RETURNING b.credits_posted - b.debits_posted INTO d_after;
        IF NOT FOUND THEN
          -- Leaves the id free for a corrected retry, as a refused batch member does.
          DELETE FROM ledger_transfers WHERE id = p_id;
          transfer := NULL;
          outcome := 'insufficient_funds';
          RETURN;
        END IF;
        UPDATE ledger_balances b
           SET credits_posted  = b.credits_posted + CASE WHEN p_two_phase THEN 0 ELSE p_amount END,
               credits_pending = b.credits_pending + CASE WHEN p_two_phase THEN p_amount ELSE 0 END
         WHERE b.account_id = p_credit AND b.shard = c_shard
        RETURNING b.credits_posted - b.debits_posted INTO c_after;

        IF NOT p_two_phase THEN
          -- balance_after only where one row holds the whole balance (see create-ledger).
          INSERT INTO ledger_entries (transfer_id, account_id, asset, amount, balance_after)
          VALUES (p_id, p_debit, p_asset, -p_amount, CASE WHEN d.shards = 1 THEN d_after END),
                 (p_id, p_credit, p_asset, p_amount, CASE WHEN c.shards = 1 THEN c_after END);
        END IF;
        outcome := 'created';
      END $$`;
