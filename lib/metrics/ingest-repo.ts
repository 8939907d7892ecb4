import type { DbOrTx } from "../db/types";
import type { OutcomeRow } from "./attribution";
import { LATENCY_BUCKETS } from "./latency-buckets";

// One statement per batch: store the outcomes not stored before (idempotent on config and
// request id; a request id repeated inside the batch counts once) and add exactly those to the
// per-minute rollups, so raw rows and rollups can never disagree. The histogram helpers are SQL
// functions from the data_plane migration. Rollups have two partial unique keys (inside a
// rollout or not), hence two upserts.

const ROLLUP_COLUMNS = `config_id, version_id, rollout_id, variant, minute, count, errors, rating_count, rating_sum,
  rating_hist, latency_sum_ms, latency_hist, input_tokens, output_tokens, cost_usd, cost_count`;

const ROLLUP_SELECT = `config_id, version_id, rollout_id, variant::"Variant", minute, count, errors, rating_count, rating_sum,
  rating_hist, latency_sum_ms, latency_hist, input_tokens, output_tokens, cost_usd, cost_count`;

const ROLLUP_ADD = `count = metric_rollups.count + excluded.count,
    errors = metric_rollups.errors + excluded.errors,
    rating_count = metric_rollups.rating_count + excluded.rating_count,
    rating_sum = metric_rollups.rating_sum + excluded.rating_sum,
    rating_hist = llm_canary_hist_sum(metric_rollups.rating_hist, excluded.rating_hist),
    latency_sum_ms = metric_rollups.latency_sum_ms + excluded.latency_sum_ms,
    latency_hist = llm_canary_hist_sum(metric_rollups.latency_hist, excluded.latency_hist),
    input_tokens = metric_rollups.input_tokens + excluded.input_tokens,
    output_tokens = metric_rollups.output_tokens + excluded.output_tokens,
    cost_usd = metric_rollups.cost_usd + excluded.cost_usd,
    cost_count = metric_rollups.cost_count + excluded.cost_count`;

const INGEST_SQL = `
WITH input AS (
  SELECT DISTINCT ON (config_id, request_id) *
  FROM ROWS FROM (json_to_recordset($1::json) AS (
    config_id text, request_id text, version_id text, rollout_id text, variant text, is_error boolean,
    error_type text, latency_ms integer, latency_bucket integer, input_tokens integer, output_tokens integer,
    cost_usd double precision, rating smallint, input text, output text, at timestamptz)
  ) WITH ORDINALITY AS t(config_id, request_id, version_id, rollout_id, variant, is_error, error_type, latency_ms,
    latency_bucket, input_tokens, output_tokens, cost_usd, rating, input, output, at, n)
  ORDER BY config_id, request_id, n
), inserted AS (
  INSERT INTO outcomes (config_id, request_id, version_id, rollout_id, variant, is_error, error_type, latency_ms,
    input_tokens, output_tokens, cost_usd, rating, rated_at, input, output, at)
  SELECT config_id, request_id, version_id, rollout_id, variant::"Variant", is_error, error_type, latency_ms,
    input_tokens, output_tokens, cost_usd, rating, CASE WHEN rating IS NOT NULL THEN now() END, input, output, at
  FROM input
  ON CONFLICT (config_id, request_id) DO NOTHING
  RETURNING config_id, request_id
), grouped AS (
  SELECT i.config_id, i.version_id, i.rollout_id, i.variant, date_trunc('minute', i.at, 'UTC') AS minute,
    count(*)::integer AS count,
    (count(*) FILTER (WHERE i.is_error))::integer AS errors,
    count(i.rating)::integer AS rating_count,
    coalesce(sum(i.rating), 0)::integer AS rating_sum,
    llm_canary_hist_of(coalesce(array_agg(i.rating - 1) FILTER (WHERE i.rating IS NOT NULL), '{}'), 5) AS rating_hist,
    sum(i.latency_ms)::bigint AS latency_sum_ms,
    llm_canary_hist_of(array_agg(i.latency_bucket), ${LATENCY_BUCKETS}) AS latency_hist,
    coalesce(sum(i.input_tokens), 0)::bigint AS input_tokens,
    coalesce(sum(i.output_tokens), 0)::bigint AS output_tokens,
    coalesce(sum(i.cost_usd), 0)::double precision AS cost_usd,
    count(i.cost_usd)::integer AS cost_count
  FROM input i JOIN inserted USING (config_id, request_id)
  GROUP BY i.config_id, i.version_id, i.rollout_id, i.variant, date_trunc('minute', i.at, 'UTC')
), in_rollout AS (
  INSERT INTO metric_rollups (${ROLLUP_COLUMNS})
  SELECT ${ROLLUP_SELECT} FROM grouped WHERE rollout_id IS NOT NULL
  ON CONFLICT (rollout_id, version_id, minute) WHERE rollout_id IS NOT NULL DO UPDATE SET ${ROLLUP_ADD}
), outside_rollout AS (
  INSERT INTO metric_rollups (${ROLLUP_COLUMNS})
  SELECT ${ROLLUP_SELECT} FROM grouped WHERE rollout_id IS NULL
  ON CONFLICT (version_id, minute) WHERE rollout_id IS NULL DO UPDATE SET ${ROLLUP_ADD}
)
SELECT count(*)::integer AS accepted FROM inserted`;

/** Stores a batch; returns how many outcomes were new. */
export async function insertOutcomes(db: DbOrTx, rows: readonly OutcomeRow[]): Promise<number> {
  const result = await db.$queryRawUnsafe<{ accepted: number }[]>(INGEST_SQL, JSON.stringify(rows));
  return Number(result[0].accepted);
}
