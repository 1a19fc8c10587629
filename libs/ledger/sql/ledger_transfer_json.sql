CREATE OR REPLACE FUNCTION public.ledger_transfer_json(t ledger_transfers)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
    SELECT left(head::text, -1) || ',"metadata":' || t.metadata::text || ',' || substr(tail::text, 2)
      FROM json_strip_nulls(json_build_object(
             'id', t.id, 'debitAccountId', t.debit_account_id,
             'creditAccountId', t.credit_account_id, 'asset', t.asset,
             'amount', t.amount::text, 'postedAmount', t.posted_amount::text,
             'code', t.code)) head,
           json_strip_nulls(json_build_object(
             'status', t.status, 'pending', t.two_phase, 'timeoutSeconds', t.timeout_seconds,
             'timeoutAt', to_char(t.timeout_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'createdAt', to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'postedAt', to_char(t.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'voidedAt', to_char(t.voided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))) tail
  $function$

