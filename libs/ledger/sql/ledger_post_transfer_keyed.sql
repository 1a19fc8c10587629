CREATE OR REPLACE FUNCTION public.ledger_post_transfer_keyed(p_scope text, p_key text, p_method text, p_path text, p_request_hash text, p_ttl_hours integer, p_id uuid, p_debit uuid, p_credit uuid, p_asset text, p_amount bigint, p_code text, p_metadata jsonb, p_two_phase boolean, p_timeout_seconds integer, OUT outcome text, OUT missing_account uuid, OUT debit_asset text, OUT credit_asset text, OUT transfer ledger_transfers, OUT key_request_hash text, OUT response_status integer, OUT response_body text)
 RETURNS record
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
  DECLARE
    posted record;
  BEGIN
    IF NOT idempotency_try_lock(p_scope, p_key) THEN
      outcome := 'key_busy';
      RETURN;
    END IF;
    SELECT k.request_hash, k.response_status, k.response_body
      INTO key_request_hash, response_status, response_body
      FROM idempotency_find(p_scope, p_key) k;
    IF FOUND THEN
      outcome := 'key_used';
      RETURN;
    END IF;

    -- A composite (the transfer) must be an INTO's only target: take the record whole.
    SELECT * INTO posted
      FROM ledger_post_transfer(p_id, p_debit, p_credit, p_asset, p_amount, p_code,
                                p_metadata, p_two_phase, p_timeout_seconds);
    outcome := posted.outcome;
    missing_account := posted.missing_account;
    debit_asset := posted.debit_asset;
    credit_asset := posted.credit_asset;
    transfer := posted.transfer;
    IF outcome <> 'created' THEN
      RETURN;
    END IF;

    response_status := 201;
    response_body := ledger_transfer_json(transfer);
    IF NOT idempotency_store(p_scope, p_key, p_method, p_path, p_request_hash, response_status,
                             response_body, p_ttl_hours) THEN
      -- A live key appeared without its lock being taken: undo the transfer with the whole
      -- statement; the client sees a 409 and may retry.
      RAISE EXCEPTION 'idempotency key stored concurrently'
        USING ERRCODE = 'unique_violation', CONSTRAINT = 'idempotency_keys_pkey';
    END IF;
  END $function$

