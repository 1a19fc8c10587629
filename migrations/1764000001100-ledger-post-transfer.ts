import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The function as this migration creates it; a later migration's `down` restores it. */
const LEDGER_POST_TRANSFER_V1 = `
      CREATE FUNCTION ledger_post_transfer(
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

/**
 * Two measured changes to the single-transfer path (libs/ledger/README.md has the figures).
 *
 * One transfer in one statement (TransfersService.transfer): the batch path's seven statements
 * inside BEGIN/COMMIT were nine round trips, and round trips were most of a transfer's cost on a
 * shared 2-core machine (libs/ledger/README.md has the figures). Same checks, same lock order:
 * the transfer row first (ON CONFLICT waits on a concurrent duplicate), then both balance rows
 * in (account_id, shard) order. A refusal is an outcome, not an error, so a caller's outer
 * transaction stays usable — as with the batch path.
 *
 * No FKs from journal lines (to accounts, transfers, assets): each check is a query per line,
 * and the one to accounts share-locks the account row, so on a house account every concurrent
 * transfer queues on that one row (a MultiXact per lock). A line copies its transfer's id, asset
 * and one of its accounts, and the transfer keeps its FKs; the invariant checker reports any line
 * that does not match its transfer (`misfiledEntries`).
 */
export class LedgerPostTransfer1764000001100 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(LEDGER_POST_TRANSFER_V1);
    for (const column of ['account_id', 'transfer_id', 'asset']) {
      await q.query(`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_${column}_fkey`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_entries
        ADD CONSTRAINT ledger_entries_transfer_id_fkey
            FOREIGN KEY (transfer_id) REFERENCES ledger_transfers (id),
        ADD CONSTRAINT ledger_entries_account_id_fkey
            FOREIGN KEY (account_id) REFERENCES ledger_accounts (id),
        ADD CONSTRAINT ledger_entries_asset_fkey FOREIGN KEY (asset) REFERENCES ledger_assets (code)`);
    await q.query(`DROP FUNCTION ledger_post_transfer`);
  }
}
