-- The histogram helpers of the data_plane migration, rewritten in PL/pgSQL with the same results.
-- As SQL functions they could not be inlined (they aggregate), so every call planned its query
-- again: a fifth of an ingest statement's time went to planning them. PL/pgSQL keeps its plans
-- for the session and works on the array in place.

-- A histogram of `size` counts from 0-based bucket numbers; numbers outside 0..size-1 and NULLs are ignored.
CREATE OR REPLACE FUNCTION llm_canary_hist_of(buckets integer[], size integer) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  counts integer[] := array_fill(0, ARRAY[greatest(size, 0)]);
  b integer;
BEGIN
  FOREACH b IN ARRAY coalesce(buckets, '{}') LOOP
    IF b >= 0 AND b < size THEN
      counts[b + 1] := counts[b + 1] + 1;
    END IF;
  END LOOP;
  RETURN counts;
END
$$;

-- Element-wise sum; the shorter array counts as zeros where it ends (as do NULL elements).
CREATE OR REPLACE FUNCTION llm_canary_hist_sum(a integer[], b integer[]) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  n integer := greatest(coalesce(cardinality(a), 0), coalesce(cardinality(b), 0));
  total integer[] := array_fill(0, ARRAY[n]);
BEGIN
  FOR i IN 1 .. n LOOP
    total[i] := coalesce(a[i], 0) + coalesce(b[i], 0);
  END LOOP;
  RETURN total;
END
$$;

-- Sums histograms row by row: the hourly rollup of a batch is built from its minute rollups.
CREATE AGGREGATE llm_canary_hist_total(integer[]) (SFUNC = llm_canary_hist_sum, STYPE = integer[], INITCOND = '{}');
