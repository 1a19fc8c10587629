import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The key of a stored, unexpired call; no row when there is none. Inlined where it is called. */
const FIND = `
  CREATE FUNCTION idempotency_find(p_scope text, p_key text)
  RETURNS TABLE (request_hash text, response_status integer, response_body text)
  LANGUAGE sql STABLE AS $$
    SELECT k.request_hash, k.response_status, k.response_body
      FROM idempotency_keys k
     WHERE k.scope = p_scope AND k.key = p_key AND k.expires_at > now()
  $$`;

/**
 * Stores a call's answer under its key, in the caller's transaction (which holds the key's lock:
 * idempotency_try_lock). An expired row not purged yet is taken over; false when a live row
 * holds the key (a writer that did not take the lock): the caller must then undo its work.
 */
const STORE = `
  CREATE FUNCTION idempotency_store(
    p_scope text, p_key text, p_method text, p_path text, p_request_hash text,
    p_status integer, p_body text, p_ttl_hours integer) RETURNS boolean
  LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO idempotency_keys AS k
           (scope, key, method, path, request_hash, response_status, response_body, expires_at)
    VALUES (p_scope, p_key, p_method, p_path, p_request_hash, p_status, p_body,
            now() + make_interval(hours => p_ttl_hours))
    ON CONFLICT (scope, key) DO UPDATE
       SET method = EXCLUDED.method, path = EXCLUDED.path,
           request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
           response_body = EXCLUDED.response_body, created_at = now(),
           expires_at = EXCLUDED.expires_at
     WHERE k.expires_at <= now();
    RETURN FOUND;
  END $$`;

const UTC_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * The TransferDto of a transfer as compact JSON text, in TransferDto's field order, absent fields
 * left out (json_strip_nulls, which would also strip the metadata's nulls: the metadata goes in
 * between, as stored).
 */
const TRANSFER_JSON = `
  CREATE FUNCTION ledger_transfer_json(t ledger_transfers) RETURNS text
  LANGUAGE sql STABLE AS $$
    SELECT left(head::text, -1) || ',"metadata":' || t.metadata::text || ',' || substr(tail::text, 2)
      FROM json_strip_nulls(json_build_object(
             'id', t.id, 'debitAccountId', t.debit_account_id,
             'creditAccountId', t.credit_account_id, 'asset', t.asset,
             'amount', t.amount::text, 'postedAmount', t.posted_amount::text,
             'code', t.code)) head,
           json_strip_nulls(json_build_object(
             'status', t.status, 'pending', t.two_phase, 'timeoutSeconds', t.timeout_seconds,
             'timeoutAt', to_char(t.timeout_at AT TIME ZONE 'UTC', ${UTC_MS}),
             'createdAt', to_char(t.created_at AT TIME ZONE 'UTC', ${UTC_MS}),
             'postedAt', to_char(t.posted_at AT TIME ZONE 'UTC', ${UTC_MS}),
             'voidedAt', to_char(t.voided_at AT TIME ZONE 'UTC', ${UTC_MS}))) tail
  $$`;

/**
 * POST /v1/ledger/transfers with an Idempotency-Key in one statement, as 1764000011000 made it,
 * on the platform's key functions: the key's lock (a duplicate in flight: 'key_busy'), its
 * lookup ('key_used', with the stored answer), the transfer, and the key stored with the
 * transfer's JSON, which is returned too: the api sends those bytes first and on every replay.
 */
const POST_TRANSFER_KEYED = `
  CREATE FUNCTION ledger_post_transfer_keyed(
    p_scope text, p_key text, p_method text, p_path text, p_request_hash text,
    p_ttl_hours integer,
    p_id uuid, p_debit uuid, p_credit uuid, p_asset text, p_amount bigint, p_code text,
    p_metadata jsonb, p_two_phase boolean, p_timeout_seconds integer,
    OUT outcome text, OUT missing_account uuid, OUT debit_asset text, OUT credit_asset text,
    OUT transfer ledger_transfers, OUT key_request_hash text, OUT response_status integer,
    OUT response_body text)
  LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
  END $$`;

/** Many keyed transfers in one statement (1764000013000), each ledger_post_transfer_keyed. */
const POST_TRANSFERS_KEYED = `
  CREATE FUNCTION ledger_post_transfers_keyed(
    p_scopes text[], p_keys text[], p_methods text[], p_paths text[],
    p_request_hashes text[], p_ttl_hours integer,
    p_ids uuid[], p_debits uuid[], p_credits uuid[], p_assets text[], p_amounts bigint[],
    p_codes text[], p_metadata jsonb[], p_two_phase boolean[], p_timeout_seconds integer[])
  RETURNS TABLE (
    ord integer, outcome text, missing_account uuid, debit_asset text, credit_asset text,
    transfer ledger_transfers, key_request_hash text, response_status integer,
    response_body text)
  LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
  END $$`;

// The definitions this migration replaces, for down (1764000011000, 1764000013000, with the plan
// setting of 1764000014000).
const DOWN_TRANSFER_JSON = `
      CREATE FUNCTION ledger_transfer_json(t ledger_transfers) RETURNS jsonb
      LANGUAGE sql STABLE AS $$
        SELECT jsonb_build_object(
                 'id', t.id, 'debitAccountId', t.debit_account_id,
                 'creditAccountId', t.credit_account_id, 'asset', t.asset,
                 'amount', t.amount::text, 'code', t.code, 'metadata', t.metadata,
                 'status', t.status, 'pending', t.two_phase,
                 'createdAt', to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
            || jsonb_strip_nulls(jsonb_build_object(
                 'postedAmount', t.posted_amount::text, 'timeoutSeconds', t.timeout_seconds,
                 'timeoutAt', to_char(t.timeout_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                 'postedAt', to_char(t.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                 'voidedAt', to_char(t.voided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
      $$`;

const DOWN_POST_TRANSFER_ONCE = `
      CREATE FUNCTION ledger_post_transfer_once(
        p_scope text, p_key text, p_method text, p_path text, p_request_hash text,
        p_ttl_hours integer,
        p_id uuid, p_debit uuid, p_credit uuid, p_asset text, p_amount bigint, p_code text,
        p_metadata jsonb, p_two_phase boolean, p_timeout_seconds integer,
        OUT outcome text, OUT missing_account uuid, OUT debit_asset text, OUT credit_asset text,
        OUT transfer ledger_transfers, OUT key_state text, OUT key_request_hash text,
        OUT response_status integer, OUT response_body jsonb, OUT response_headers jsonb)
      LANGUAGE plpgsql SET enable_seqscan = off AS $$
      DECLARE
        posted record;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(x'1DE5'::int, hashtext(p_scope || chr(10) || p_key)) THEN
          outcome := 'key_busy';
          RETURN;
        END IF;
        SELECT k.state, k.request_hash, k.response_status, k.response_body, k.response_headers
          INTO key_state, key_request_hash, response_status, response_body, response_headers
          FROM idempotency_keys k
         WHERE k.scope = p_scope AND k.key = p_key AND k.expires_at > now();
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
        response_headers := '{}';
        -- An expired row not purged yet is taken over, as the generic claim does.
        INSERT INTO idempotency_keys AS k
               (scope, key, method, path, request_hash, state, response_status, response_body,
                response_headers, expires_at)
        VALUES (p_scope, p_key, p_method, p_path, p_request_hash, 'completed', response_status,
                response_body, response_headers, now() + make_interval(hours => p_ttl_hours))
        ON CONFLICT (scope, key) DO UPDATE
           SET method = EXCLUDED.method, path = EXCLUDED.path,
               request_hash = EXCLUDED.request_hash, state = 'completed', lock_id = NULL,
               response_status = EXCLUDED.response_status,
               response_body = EXCLUDED.response_body,
               response_headers = EXCLUDED.response_headers, created_at = now(),
               locked_at = now(), expires_at = EXCLUDED.expires_at
         WHERE k.expires_at <= now();
        IF NOT FOUND THEN
          -- The generic path (another route) claimed this key since the lookup: undo the
          -- transfer with the whole statement; the client sees a 409 and may retry.
          RAISE EXCEPTION 'idempotency key claimed concurrently'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'idempotency_keys_pkey';
        END IF;
      END $$`;

const DOWN_POST_TRANSFERS_ONCE = `
      CREATE FUNCTION ledger_post_transfers_once(
        p_scopes text[], p_keys text[], p_methods text[], p_paths text[],
        p_request_hashes text[], p_ttl_hours integer,
        p_ids uuid[], p_debits uuid[], p_credits uuid[], p_assets text[], p_amounts bigint[],
        p_codes text[], p_metadata jsonb[], p_two_phase boolean[], p_timeout_seconds integer[])
      RETURNS TABLE (
        ord integer, outcome text, missing_account uuid, debit_asset text, credit_asset text,
        transfer ledger_transfers, key_state text, key_request_hash text,
        response_status integer, response_body jsonb, response_headers jsonb)
      LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
      END $$`;

/**
 * One Idempotency-Key mechanism: every keyed route locks, looks up and stores its key in the
 * transaction of its own write, so no key is ever held `in_progress` between statements, and the
 * columns of that mode go. The response body is kept as the exact text first sent (jsonb would
 * reorder its keys), so a replay repeats it byte for byte.
 *
 * The key's SQL is the platform's (idempotency_find, idempotency_store, and idempotency_try_lock
 * from 1764000012000); the ledger's one-statement keyed transfers call it rather than a copy.
 * Their functions are recreated for the text body (the body they send back first is the one they
 * store), and plan with `enable_seqscan = off` as 1764000014000 set.
 */
export class IdempotencyOneMechanism1765400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ledger_post_transfers_once`);
    await q.query(`DROP FUNCTION ledger_post_transfer_once`);
    await q.query(`DROP FUNCTION ledger_transfer_json`);
    // Rows of the removed claim/complete mode: a retry of their request runs it again.
    await q.query(`DELETE FROM idempotency_keys WHERE state = 'in_progress'`);
    await q.query(`
      ALTER TABLE idempotency_keys
        DROP COLUMN state, DROP COLUMN lock_id, DROP COLUMN locked_at,
        DROP COLUMN response_headers,
        ALTER COLUMN response_status SET NOT NULL,
        ALTER COLUMN response_body TYPE text USING response_body::text`);
    await q.query(FIND);
    await q.query(STORE);
    await q.query(TRANSFER_JSON);
    await q.query(POST_TRANSFER_KEYED);
    await q.query(POST_TRANSFERS_KEYED);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ledger_post_transfers_keyed`);
    await q.query(`DROP FUNCTION ledger_post_transfer_keyed`);
    await q.query(`DROP FUNCTION ledger_transfer_json`);
    await q.query(`DROP FUNCTION idempotency_store`);
    await q.query(`DROP FUNCTION idempotency_find`);
    await q.query(`
      ALTER TABLE idempotency_keys
        ADD COLUMN state text NOT NULL DEFAULT 'completed'
          CHECK (state IN ('in_progress', 'completed')),
        ADD COLUMN lock_id uuid,
        ADD COLUMN locked_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN response_headers jsonb NOT NULL DEFAULT '{}',
        ALTER COLUMN response_status DROP NOT NULL,
        ALTER COLUMN response_body TYPE jsonb USING response_body::jsonb,
        ADD CHECK (state = 'in_progress' OR response_status IS NOT NULL)`);
    await q.query(`
      ALTER TABLE idempotency_keys
        ALTER COLUMN state DROP DEFAULT, ALTER COLUMN response_headers DROP NOT NULL,
        ALTER COLUMN response_headers DROP DEFAULT`);
    await q.query(DOWN_TRANSFER_JSON);
    await q.query(DOWN_POST_TRANSFER_ONCE);
    await q.query(DOWN_POST_TRANSFERS_ONCE);
  }
}
