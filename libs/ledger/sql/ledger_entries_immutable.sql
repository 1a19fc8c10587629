CREATE OR REPLACE FUNCTION public.ledger_entries_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
      BEGIN
        RAISE EXCEPTION 'ledger_entries is append-only';
      END $function$

