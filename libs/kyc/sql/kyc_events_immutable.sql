CREATE OR REPLACE FUNCTION public.kyc_events_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
      BEGIN
        RAISE EXCEPTION 'kyc_events is append-only';
      END $function$

