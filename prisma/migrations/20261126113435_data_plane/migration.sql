-- DropIndex: per-version reads go through metric_rollups; one index less on every ingested row.
DROP INDEX "outcomes_version_id_at_idx";

-- AlterTable (no outcome could be stored before this migration; the default only covers the ALTER)
ALTER TABLE "outcomes" ADD COLUMN     "latency_bucket" SMALLINT NOT NULL DEFAULT 0,
ADD COLUMN     "rating_history" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "outcomes" ALTER COLUMN "latency_bucket" DROP DEFAULT;

-- AlterTable: per-request token averages count only the outcomes that reported tokens; the
-- judge needs the variance of cost per request
ALTER TABLE "metric_rollups" ADD COLUMN     "cost_sq_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "token_count" INTEGER NOT NULL DEFAULT 0;

-- Hand-written: histogram helpers for the set-based ingest (lib/metrics/ingest-repo.ts).
-- A histogram is an integer array of counts; slot i (1-based) counts bucket i - 1.
CREATE FUNCTION llm_canary_hist_of(buckets integer[], size integer) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(c.n, 0) ORDER BY s.i), '{}')
  FROM generate_series(1, size) AS s(i)
  LEFT JOIN (SELECT b + 1 AS slot, count(*)::integer AS n FROM unnest(buckets) AS b GROUP BY b) AS c ON c.slot = s.i
$$;

-- Element-wise sum; the shorter array counts as zeros where it ends.
CREATE FUNCTION llm_canary_hist_sum(a integer[], b integer[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}')
  FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i)
$$;
