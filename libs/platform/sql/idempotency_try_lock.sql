CREATE OR REPLACE FUNCTION public.idempotency_try_lock(p_scope text, p_key text)
 RETURNS boolean
 LANGUAGE sql
AS $function$
        SELECT pg_try_advisory_xact_lock(x'1DE5'::int, hashtext(p_scope || chr(10) || p_key))
      $function$

