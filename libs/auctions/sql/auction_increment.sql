CREATE OR REPLACE FUNCTION public.auction_increment(steps jsonb, price bigint)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE STRICT
AS $function$
        SELECT (s ->> 'step')::bigint
        FROM jsonb_array_elements(steps) s
        WHERE (s ->> 'from')::bigint <= price
        ORDER BY (s ->> 'from')::bigint DESC
        LIMIT 1
      $function$

