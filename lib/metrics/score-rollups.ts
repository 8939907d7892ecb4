import { utcStartSql } from "./rollup-time";

// The SQL that adds scores to their per-minute and per-hour sums (score_rollups,
// score_rollups_hourly: count, sum, sum of squares per rollout, version, variant and score key).
// The ingest statement adds the scores of the outcomes it stored; the late-score statement adds
// new scores and shifts replaced ones (remove the old value, add the new). Both build these CTEs
// here, in this order, each upsert sorted by its unique key: Postgres runs a statement's
// unreferenced data-modifying CTEs last one first, so both lock the rows hour before minute and in
// key order within each, and concurrent statements queue on shared rows instead of deadlocking.

const GROUP = "config_id, version_id, rollout_id, variant";

/** The upserts of one resolution into its table; each is a statement-level CTE of its own. */
function upserts(unit: "minute" | "hour", table: string, minutesFrom: string): string {
  const kept = unit === "minute" ? ` AND minute >= ${minutesFrom}::timestamptz` : "";
  const columns = `${GROUP}, ${unit}, score_key, count, sum, sq_sum`;
  const select = `SELECT config_id, version_id, rollout_id, variant::"Variant", ${unit}, score_key, count, sum, sq_sum FROM score_by_${unit}`;
  const add = `count = ${table}.count + excluded.count, sum = ${table}.sum + excluded.sum, sq_sum = ${table}.sq_sum + excluded.sq_sum`;
  return `score_${unit}_in_rollout AS (
  INSERT INTO ${table} (${columns})
  ${select} WHERE rollout_id IS NOT NULL${kept} ORDER BY rollout_id, version_id, score_key, ${unit}
  ON CONFLICT (rollout_id, version_id, score_key, ${unit}) WHERE rollout_id IS NOT NULL DO UPDATE SET ${add}
), score_${unit}_outside_rollout AS (
  INSERT INTO ${table} (${columns})
  ${select} WHERE rollout_id IS NULL${kept} ORDER BY version_id, score_key, ${unit}
  ON CONFLICT (version_id, score_key, ${unit}) WHERE rollout_id IS NULL DO UPDATE SET ${add}
)`;
}

/**
 * The CTEs that add `source` to the score rollups. `source` is a CTE of rows with config_id,
 * version_id, rollout_id, variant, at (the outcome's time, or any time in its minute), score_key, and
 * what each adds: `n` to the count, `value` to the sum and `sq` to the sum of squares (a replaced
 * score: 0, new - old, new² - old²; scores summed ahead: their count and sums). The hour sums
 * come from the batch's few minute sums, not from every row again. `minutesFrom` is the parameter
 * holding the oldest minute written: older minute sums may be gone with their partition.
 */
export function scoreRollupCtes(source: string, minutesFrom: string): string {
  return `score_by_minute AS (
  SELECT ${GROUP}, ${utcStartSql("minute", "at")} AS minute, score_key,
    sum(n)::integer AS count, sum(value)::double precision AS sum, sum(sq)::double precision AS sq_sum
  FROM ${source}
  GROUP BY ${GROUP}, ${utcStartSql("minute", "at")}, score_key
), ${upserts("minute", "score_rollups", minutesFrom)}, score_by_hour AS (
  SELECT ${GROUP}, ${utcStartSql("hour", "minute")} AS hour, score_key,
    sum(count)::integer AS count, sum(sum)::double precision AS sum, sum(sq_sum)::double precision AS sq_sum
  FROM score_by_minute
  GROUP BY ${GROUP}, ${utcStartSql("hour", "minute")}, score_key
), ${upserts("hour", "score_rollups_hourly", minutesFrom)}`;
}
