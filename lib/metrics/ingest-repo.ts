import type { Database } from "../db/client";
import { retryOnConflict } from "../db/retry";
import type { OutcomeRow } from "./attribution";
import { LATENCY_BUCKETS } from "./latency-buckets";

// One statement per batch: store the outcomes not stored before (idempotent on config and
// request id) and add exactly those to the per-minute and per-hour rollups, so raw rows and
// rollups can never disagree. The histogram helpers are SQL functions from the data_plane
// migration. Rollups have two partial unique keys (inside a rollout or not), hence two upserts
// per resolution. Rows are inserted and upserted in key order, so concurrent batches with
// overlapping keys queue instead of deadlocking.

const ADDED = ["count", "errors", "rating_count", "rating_sum", "latency_sum_ms", "input_tokens", "output_tokens", "token_count", "cost_usd", "cost_sq_sum", "cost_count"];
const HISTOGRAMS = ["rating_hist", "latency_hist"];

/** The rollup upserts at one resolution of what `inserted` holds. */
function rollupCtes(unit: "minute" | "hour", table: string): string {
  const columns = `config_id, version_id, rollout_id, variant, ${unit}, ${[...ADDED, ...HISTOGRAMS].join(", ")}`;
  const select = columns.replace("variant,", 'variant::"Variant",');
  const add = [...ADDED.map((c) => `${c} = ${table}.${c} + excluded.${c}`), ...HISTOGRAMS.map((c) => `${c} = llm_canary_hist_sum(${table}.${c}, excluded.${c})`)].join(",\n    ");
  return `, by_${unit} AS (
  SELECT config_id, version_id, rollout_id, variant, date_trunc('${unit}', at, 'UTC') AS ${unit},
    count(*)::integer AS count,
    (count(*) FILTER (WHERE is_error))::integer AS errors,
    count(rating)::integer AS rating_count,
    coalesce(sum(rating), 0)::integer AS rating_sum,
    sum(latency_ms)::bigint AS latency_sum_ms,
    coalesce(sum(input_tokens), 0)::bigint AS input_tokens,
    coalesce(sum(output_tokens), 0)::bigint AS output_tokens,
    (count(*) FILTER (WHERE input_tokens IS NOT NULL OR output_tokens IS NOT NULL))::integer AS token_count,
    coalesce(sum(cost_usd), 0)::double precision AS cost_usd,
    coalesce(sum(cost_usd * cost_usd), 0)::double precision AS cost_sq_sum,
    count(cost_usd)::integer AS cost_count,
    llm_canary_hist_of(coalesce(array_agg(rating - 1) FILTER (WHERE rating IS NOT NULL), '{}'), 5) AS rating_hist,
    llm_canary_hist_of(array_agg(latency_bucket::integer), ${LATENCY_BUCKETS}) AS latency_hist
  FROM inserted
  GROUP BY config_id, version_id, rollout_id, variant, date_trunc('${unit}', at, 'UTC')
), ${unit}_in_rollout AS (
  INSERT INTO ${table} (${columns})
  SELECT ${select} FROM by_${unit} WHERE rollout_id IS NOT NULL ORDER BY rollout_id, version_id, ${unit}
  ON CONFLICT (rollout_id, version_id, ${unit}) WHERE rollout_id IS NOT NULL DO UPDATE SET
    ${add}
), ${unit}_outside_rollout AS (
  INSERT INTO ${table} (${columns})
  SELECT ${select} FROM by_${unit} WHERE rollout_id IS NULL ORDER BY version_id, ${unit}
  ON CONFLICT (version_id, ${unit}) WHERE rollout_id IS NULL DO UPDATE SET
    ${add}
)`;
}

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
)${rollupCtes("minute", "metric_rollups")}${rollupCtes("hour", "metric_rollups_hourly")}
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
  // The statement is atomic, so running it again after a deadlock or serialization failure is safe.
  const [result] = await retryOnConflict(() => db.query<{ accepted: number }>(INGEST_SQL, columns, "llm_canary_ingest"));
  return Number(result.accepted);
}
