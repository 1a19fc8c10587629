CREATE OR REPLACE FUNCTION public.idempotency_find(p_scope text, p_key text)
 RETURNS TABLE(request_hash text, response_status integer, response_body text)
 LANGUAGE sql
 STABLE
AS $function$
    SELECT k.request_hash, k.response_status, k.response_body
      FROM idempotency_keys k
     WHERE k.scope = p_scope AND k.key = p_key AND k.expires_at > now()
  $function$

