CREATE OR REPLACE FUNCTION public.ledger_post_transfers_keyed(p_scopes text[], p_keys text[], p_methods text[], p_paths text[], p_request_hashes text[], p_ttl_hours integer, p_ids uuid[], p_debits uuid[], p_credits uuid[], p_assets text[], p_amounts bigint[], p_codes text[], p_metadata jsonb[], p_two_phase boolean[], p_timeout_seconds integer[])
 RETURNS TABLE(ord integer, outcome text, missing_account uuid, debit_asset text, credit_asset text, transfer ledger_transfers, key_request_hash text, response_status integer, response_body text)
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
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
                            NULL::ledger_transfers, NULL::text, NULL::integer, NULL::text;
      ELSE
        RETURN QUERY
          SELECT i, f.outcome, f.missing_account, f.debit_asset, f.credit_asset, f.transfer,
                 f.key_request_hash, f.response_status, f.response_body
            FROM ledger_post_transfer_keyed(p_scopes[i], p_keys[i], p_methods[i], p_paths[i],
                                           p_request_hashes[i], p_ttl_hours, p_ids[i],
                                           p_debits[i], p_credits[i], p_assets[i],
                                           p_amounts[i], p_codes[i], p_metadata[i],
                                           p_two_phase[i], p_timeout_seconds[i]) f;
      END IF;
    END LOOP;
  END $function$

