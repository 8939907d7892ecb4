import type { Database } from "../db/client";
import type { OutcomeRow } from "./attribution";
import { LATENCY_BUCKETS } from "./latency-buckets";

// One statement per batch: store the outcomes not stored before (idempotent on config and
// request id) and add exactly those to the per-minute rollups, so raw rows and rollups can never
// disagree. The histogram helpers are SQL functions from the data_plane migration. Rollups have
// two partial unique keys (inside a rollout or not), hence two upserts. Rows are inserted and
// upserted in key order, so concurrent batches with overlapping keys queue instead of deadlocking.

const ROLLUP_COLUMNS = `config_id, version_id, rollout_id, variant, minute, count, errors, rating_count, rating_sum,
  rating_hist, latency_sum_ms, latency_hist, input_tokens, output_tokens, token_count, cost_usd, cost_sq_sum, cost_count`;

const ROLLUP_SELECT = `config_id, version_id, rollout_id, variant::"Variant", minute, count, errors, rating_count, rating_sum,
  rating_hist, latency_sum_ms, latency_hist, input_tokens, output_tokens, token_count, cost_usd, cost_sq_sum, cost_count`;

const ROLLUP_ADD = `count = metric_rollups.count + excluded.count,
    errors = metric_rollups.errors + excluded.errors,
    rating_count = metric_rollups.rating_count + excluded.rating_count,
    rating_sum = metric_rollups.rating_sum + excluded.rating_sum,
    rating_hist = llm_canary_hist_sum(metric_rollups.rating_hist, excluded.rating_hist),
    latency_sum_ms = metric_rollups.latency_sum_ms + excluded.latency_sum_ms,
    latency_hist = llm_canary_hist_sum(metric_rollups.latency_hist, excluded.latency_hist),
    input_tokens = metric_rollups.input_tokens + excluded.input_tokens,
    output_tokens = metric_rollups.output_tokens + excluded.output_tokens,
    token_count = metric_rollups.token_count + excluded.token_count,
    cost_usd = metric_rollups.cost_usd + excluded.cost_usd,
    cost_sq_sum = metric_rollups.cost_sq_sum + excluded.cost_sq_sum,
    cost_count = metric_rollups.cost_count + excluded.cost_count`;

const INGEST_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::integer[],
    $9::integer[], $10::integer[], $11::integer[], $12::double precision[], $13::smallint[], $14::text[], $15::text[], $16::timestamptz[])
    AS t(config_id, request_id, version_id, rollout_id, variant, is_error, error_type, latency_ms, latency_bucket,
      input_tokens, output_tokens, cost_usd, rating, input, output, at)
), inserted AS (
  INSERT INTO outcomes (config_id, request_id, version_id, rollout_id, variant, is_error, error_type, latency_ms,
    latency_bucket, input_tokens, output_tokens, cost_usd, rating, rated_at, input, output, at)
  SELECT config_id, request_id, version_id, rollout_id, variant::"Variant", is_error, error_type, latency_ms,
    latency_bucket, input_tokens, output_tokens, cost_usd, rating, CASE WHEN rating IS NOT NULL THEN now() END, input, output, at
  FROM input ORDER BY config_id, request_id
  ON CONFLICT (config_id, request_id) DO NOTHING
  RETURNING config_id, version_id, rollout_id, variant, is_error, latency_ms, latency_bucket, input_tokens,
    output_tokens, cost_usd, rating, at
), grouped AS (
  SELECT config_id, version_id, rollout_id, variant, date_trunc('minute', at, 'UTC') AS minute,
    count(*)::integer AS count,
    (count(*) FILTER (WHERE is_error))::integer AS errors,
    count(rating)::integer AS rating_count,
    coalesce(sum(rating), 0)::integer AS rating_sum,
    llm_canary_hist_of(coalesce(array_agg(rating - 1) FILTER (WHERE rating IS NOT NULL), '{}'), 5) AS rating_hist,
    sum(latency_ms)::bigint AS latency_sum_ms,
    llm_canary_hist_of(array_agg(latency_bucket::integer), ${LATENCY_BUCKETS}) AS latency_hist,
    coalesce(sum(input_tokens), 0)::bigint AS input_tokens,
    coalesce(sum(output_tokens), 0)::bigint AS output_tokens,
    (count(*) FILTER (WHERE input_tokens IS NOT NULL OR output_tokens IS NOT NULL))::integer AS token_count,
    coalesce(sum(cost_usd), 0)::double precision AS cost_usd,
    coalesce(sum(cost_usd * cost_usd), 0)::double precision AS cost_sq_sum,
    count(cost_usd)::integer AS cost_count
  FROM inserted
  GROUP BY config_id, version_id, rollout_id, variant, date_trunc('minute', at, 'UTC')
), in_rollout AS (
  INSERT INTO metric_rollups (${ROLLUP_COLUMNS})
  SELECT ${ROLLUP_SELECT} FROM grouped WHERE rollout_id IS NOT NULL ORDER BY rollout_id, version_id, minute
  ON CONFLICT (rollout_id, version_id, minute) WHERE rollout_id IS NOT NULL DO UPDATE SET ${ROLLUP_ADD}
), outside_rollout AS (
  INSERT INTO metric_rollups (${ROLLUP_COLUMNS})
  SELECT ${ROLLUP_SELECT} FROM grouped WHERE rollout_id IS NULL ORDER BY version_id, minute
  ON CONFLICT (version_id, minute) WHERE rollout_id IS NULL DO UPDATE SET ${ROLLUP_ADD}
)
SELECT count(*)::integer AS accepted FROM inserted`;

const COLUMNS = [
  "config_id", "request_id", "version_id", "rollout_id", "variant", "is_error", "error_type", "latency_ms", "latency_bucket",
  "input_tokens", "output_tokens", "cost_usd", "rating", "input", "output", "at",
] as const satisfies readonly (keyof OutcomeRow)[];

/**
 * Stores a batch whose request ids are distinct (attribution drops repeats); returns how many
 * outcomes were new. Columns go as arrays through unnest(), which Postgres reads faster than the
 * same rows as JSON; the statement goes straight to the driver, prepared once per connection.
 */
export async function insertOutcomes(db: Database, rows: readonly OutcomeRow[]): Promise<number> {
  const columns = COLUMNS.map((column) => rows.map((row) => row[column]));
  for (let attempt = 1; ; attempt++) {
    try {
      const [result] = await db.query<{ accepted: number }>(INGEST_SQL, columns, "llm_canary_ingest");
      return Number(result.accepted);
    } catch (error) {
      // The statement is atomic, so running it again after a deadlock or serialization failure is safe.
      const code = (error as { code?: unknown }).code;
      if (attempt >= 3 || (code !== "40P01" && code !== "40001")) throw error;
    }
  }
}
