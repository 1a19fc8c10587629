import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `POST /v1/ledger/transfers` with an Idempotency-Key in one statement: the key is looked up,
 * the transfer posted and the key stored with its response, all in the transfer's own
 * transaction. The generic path (claim, handler, complete) takes three statements and commits
 * the transfer before its key is complete; on these machines each round trip costs about as much
 * as the transfer itself.
 *
 * Concurrency: a transaction-scoped advisory lock on (class 0x1DE5, hash of scope and key) is
 * held while the key is in use (idempotency_try_lock, 1764000012000, takes the same one), so a
 * duplicate arriving meanwhile is answered 'key_busy' (409) rather than waiting. Two different keys sharing a 32-bit hash while both are in flight also get
 * a 409, which a retry clears. Each statement of a plpgsql function takes a new snapshot (READ
 * COMMITTED), so the lookup after the lock sees a key committed just before.
 *
 * Only a transfer the call created is stored with the key. A refused one leaves the key free for
 * a corrected retry (as the generic path releases it), and an id that already existed is answered
 * by the ledger's own idempotency by id, the same way every time.
 */
export class LedgerTransferOnce1764000011000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // The body TransferDto gives in JSON (toTransferDto, JSON.stringify): amounts as strings,
    // times in UTC to the millisecond, absent fields left out.
    await q.query(`
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
      $$`);
    await q.query(`
      CREATE FUNCTION ledger_post_transfer_once(
        p_scope text, p_key text, p_method text, p_path text, p_request_hash text,
        p_ttl_hours integer,
        p_id uuid, p_debit uuid, p_credit uuid, p_asset text, p_amount bigint, p_code text,
        p_metadata jsonb, p_two_phase boolean, p_timeout_seconds integer,
        OUT outcome text, OUT missing_account uuid, OUT debit_asset text, OUT credit_asset text,
        OUT transfer ledger_transfers, OUT key_state text, OUT key_request_hash text,
        OUT response_status integer, OUT response_body jsonb, OUT response_headers jsonb)
      LANGUAGE plpgsql AS $$
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
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ledger_post_transfer_once`);
    await q.query(`DROP FUNCTION ledger_transfer_json`);
  }
}
