CREATE OR REPLACE FUNCTION public.idempotency_store(p_scope text, p_key text, p_method text, p_path text, p_request_hash text, p_status integer, p_body text, p_ttl_hours integer)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
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
  END $function$

