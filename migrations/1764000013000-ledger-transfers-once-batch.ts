import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Many keyed transfers (POST /v1/ledger/transfers with an Idempotency-Key, from any callers) in
 * one statement and one commit: the api queues those that arrive while others are in flight and
 * sends them together (KeyedTransfersService.transferKeyed). Each element is ledger_post_transfer_once
 * (1764000011000), answered in input order (`ord`, from 1) as if it had been sent alone.
 *
 * Lock order: every balance row the batch may change is locked first, in (account_id, shard)
 * order, so two batches sharing rows queue on the first shared one instead of deadlocking. A
 * sharded (hot) account's shard is chosen at random inside each transfer, so it cannot be locked
 * in that order: an element touching one is answered 'alone' without being run, and the api posts
 * it on its own. The caller sends distinct transfer ids and keys. A transfer id that another
 * transaction is inserting at the same moment makes this one wait for it while holding balance
 * rows (the reverse of the single path's order): Postgres may then end one of the two with a
 * deadlock error, which the api answers by posting each element alone.
 */
export class LedgerTransfersOnceBatch1764000013000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ledger_post_transfers_once(
        p_scopes text[], p_keys text[], p_methods text[], p_paths text[],
        p_request_hashes text[], p_ttl_hours integer,
        p_ids uuid[], p_debits uuid[], p_credits uuid[], p_assets text[], p_amounts bigint[],
        p_codes text[], p_metadata jsonb[], p_two_phase boolean[], p_timeout_seconds integer[])
      RETURNS TABLE (
        ord integer, outcome text, missing_account uuid, debit_asset text, credit_asset text,
        transfer ledger_transfers, key_state text, key_request_hash text,
        response_status integer, response_body jsonb, response_headers jsonb)
      LANGUAGE plpgsql AS $$
      DECLARE
        sharded uuid[];
      BEGIN
        SELECT coalesce(array_agg(a.id), '{}') INTO sharded
          FROM ledger_accounts a
         WHERE a.id = ANY (p_debits || p_credits) AND a.shards > 1;
        PERFORM FROM ledger_balances b
          WHERE b.account_id = ANY (p_debits || p_credits) AND b.account_id <> ALL (sharded)
          ORDER BY b.account_id, b.shard
            FOR UPDATE;

        FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
          IF p_debits[i] = ANY (sharded) OR p_credits[i] = ANY (sharded) THEN
            RETURN QUERY SELECT i, 'alone'::text, NULL::uuid, NULL::text, NULL::text,
                                NULL::ledger_transfers, NULL::text, NULL::text, NULL::integer,
                                NULL::jsonb, NULL::jsonb;
          ELSE
            RETURN QUERY
              SELECT i, f.outcome, f.missing_account, f.debit_asset, f.credit_asset, f.transfer,
                     f.key_state, f.key_request_hash, f.response_status, f.response_body,
                     f.response_headers
                FROM ledger_post_transfer_once(p_scopes[i], p_keys[i], p_methods[i], p_paths[i],
                                               p_request_hashes[i], p_ttl_hours, p_ids[i],
                                               p_debits[i], p_credits[i], p_assets[i],
                                               p_amounts[i], p_codes[i], p_metadata[i],
                                               p_two_phase[i], p_timeout_seconds[i]) f;
          END IF;
        END LOOP;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ledger_post_transfers_once`);
  }
}
