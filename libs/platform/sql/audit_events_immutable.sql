CREATE OR REPLACE FUNCTION public.audit_events_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only';
      END $function$

