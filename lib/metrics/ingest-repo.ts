import type { Database } from "../db/client";
import { scalarArrayLiteral, textArrayLiteral } from "../db/array-literal";
import { ensurePartitionsAt, forgetPartitions, isMissingPartition } from "../db/partitions";
import { retryOnConflict } from "../db/retry";
import type { OutcomeRow } from "./attribution";
import { LATENCY_BUCKETS } from "./latency-buckets";
import { utcStartSql } from "./rollup-time";
import { scoreRollupCtes } from "./score-rollups";

// One statement per batch: store the outcomes not stored before (idempotent on config and
// request id) and their custom scores, and add exactly those to the per-minute and per-hour
// rollups (metric_rollups, and score_rollups per score key), so raw rows and rollups can never
// disagree. An outcome is new when its (config, request id) goes into outcome_keys: outcomes is
// partitioned by day and cannot hold that key unique itself (a key of a partitioned table includes
// the partition key). The key row takes the outcome's id from the outcomes sequence, so it leads to
// the outcome's partition. Minute rollups older than the retention keeps are not written (their
// partition may be gone). The histogram helpers are PL/pgSQL functions (migrations
// data_plane, histogram_functions). Rollups have two partial unique keys (inside a rollout or
// not), hence two upserts per resolution. Keys are inserted and rollups upserted in key order, so
// concurrent batches with overlapping keys queue instead of deadlocking. The main query reads
// `inserted`, so every outcome is inserted before any rollup row is locked; the rollup upserts
// then run last CTE first: score rollups (in the order of lib/metrics/score-rollups.ts, which the
// late-score statement shares), then the metric rollups, hour before minute (as feedback does).

/** The rollup columns that add up, with their SQL types. */
const ADDED_TYPES = {
  count: "integer", errors: "integer", rating_count: "integer", rating_sum: "integer", latency_sum_ms: "bigint", input_tokens: "bigint",
  output_tokens: "bigint", token_count: "integer", cost_usd: "double precision", cost_sq_sum: "double precision", cost_count: "integer",
};
const ADDED = Object.keys(ADDED_TYPES) as (keyof typeof ADDED_TYPES)[];
const HISTOGRAMS = ["rating_hist", "latency_hist"];
const GROUP = "config_id, version_id, rollout_id, variant";

/** The batch's minute rollups, from the rows it stored. */
const BY_MINUTE = `by_minute AS (
  SELECT ${GROUP}, ${utcStartSql("minute", "at")} AS minute,
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
  GROUP BY ${GROUP}, ${utcStartSql("minute", "at")}
)`;

/** The batch's hour rollups, summed from its few minute rollups rather than from every row again. */
const BY_HOUR = `by_hour AS (
  SELECT ${GROUP}, ${utcStartSql("hour", "minute")} AS hour,
    ${ADDED.map((c) => `sum(${c})::${ADDED_TYPES[c]} AS ${c}`).join(",\n    ")},
    ${HISTOGRAMS.map((c) => `llm_canary_hist_total(${c}) AS ${c}`).join(",\n    ")}
  FROM by_minute
  GROUP BY ${GROUP}, ${utcStartSql("hour", "minute")}
)`;

/** The parameter holding the oldest minute written (lib/db/retention.ts minutesKeptFrom). */
const MINUTES_FROM = "$19";

/** The upserts of one resolution's rollups into its table. */
function upsertCtes(unit: "minute" | "hour", table: string): string {
  const columns = `${GROUP}, ${unit}, ${[...ADDED, ...HISTOGRAMS].join(", ")}`;
  const select = columns.replace("variant,", 'variant::"Variant",');
  const kept = unit === "minute" ? ` AND minute >= ${MINUTES_FROM}::timestamptz` : "";
  const add = [...ADDED.map((c) => `${c} = ${table}.${c} + excluded.${c}`), ...HISTOGRAMS.map((c) => `${c} = llm_canary_hist_sum(${table}.${c}, excluded.${c})`)].join(",\n    ");
  return `${unit}_in_rollout AS (
  INSERT INTO ${table} (${columns})
  SELECT ${select} FROM by_${unit} WHERE rollout_id IS NOT NULL${kept} ORDER BY rollout_id, version_id, ${unit}
  ON CONFLICT (rollout_id, version_id, ${unit}) WHERE rollout_id IS NOT NULL DO UPDATE SET
    ${add}
), ${unit}_outside_rollout AS (
  INSERT INTO ${table} (${columns})
  SELECT ${select} FROM by_${unit} WHERE rollout_id IS NULL${kept} ORDER BY version_id, ${unit}
  ON CONFLICT (version_id, ${unit}) WHERE rollout_id IS NULL DO UPDATE SET
    ${add}
)`;
}

// A batch's rows share a few (config, version, rollout, variant) combinations: each is sent once
// in `grp`, and rows name theirs by position, which keeps the long ids out of the per-row arrays.
// A batch with scores also sends them as three columns, each naming its row by position, and the
// statement stores the scores of the outcomes it inserted and adds them to the score rollups; a
// batch without scores (most) runs the statement of before, without those parts.
function ingestSql(withScores: boolean): string {
  return `
WITH grp AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS g(config_id, version_id, rollout_id, variant, g)
), input AS (
  SELECT grp.config_id, t.request_id, grp.version_id, grp.rollout_id, grp.variant, t.is_error, t.error_type, t.latency_ms,
    t.latency_bucket, t.input_tokens, t.output_tokens, t.cost_usd, t.rating, t.input, t.output, t.at, t.ttft_ms
  FROM unnest($5::integer[], $6::text[], $7::boolean[], $8::text[], $9::integer[], $10::integer[], $11::integer[], $12::integer[],
    $13::double precision[], $14::smallint[], $15::text[], $16::text[], $17::timestamptz[], $18::integer[])
    AS t(g, request_id, is_error, error_type, latency_ms, latency_bucket, input_tokens, output_tokens, cost_usd, rating, input, output, at, ttft_ms)
  JOIN grp USING (g)
), keyed AS (
  -- From the three columns a key needs, not from \`input\`: read twice, it would be materialized, samples and all.
  INSERT INTO outcome_keys (config_id, request_id, at, outcome_id)
  SELECT grp.config_id, k.request_id, k.at, nextval('outcomes_id_seq')
  FROM unnest($5::integer[], $6::text[], $17::timestamptz[]) AS k(g, request_id, at) JOIN grp USING (g)
  ORDER BY k.request_id, grp.config_id
  ON CONFLICT (request_id, config_id) DO NOTHING
  RETURNING config_id, request_id, outcome_id
), inserted AS (
  INSERT INTO outcomes (id, config_id, request_id, version_id, rollout_id, variant, is_error, error_type, latency_ms,
    latency_bucket, input_tokens, output_tokens, cost_usd, rating, rated_at, input, output, at, ttft_ms)
  SELECT k.outcome_id, config_id, request_id, version_id, rollout_id, variant::"Variant", is_error, error_type, latency_ms,
    latency_bucket, input_tokens, output_tokens, cost_usd, rating, CASE WHEN rating IS NOT NULL THEN now() END, input, output, at, ttft_ms
  FROM input JOIN keyed k USING (config_id, request_id)
  RETURNING ${withScores ? "id, request_id, " : ""}config_id, version_id, rollout_id, variant, is_error, latency_ms, latency_bucket, input_tokens,
    output_tokens, cost_usd, rating, at
), ${BY_MINUTE}, ${upsertCtes("minute", "metric_rollups")}, ${BY_HOUR}, ${upsertCtes("hour", "metric_rollups_hourly")}${withScores ? `,
stored_rows AS (
  -- The batch's rows stored now, by position, with their outcome's id: a duplicate's row has none.
  -- The wide input, samples and all, is read once, by the insert; these two columns name a row.
  SELECT r.row_no, r.g, i.id, i.at
  FROM unnest($5::integer[], $6::text[]) WITH ORDINALITY AS r(g, request_id, row_no)
  JOIN grp USING (g)
  JOIN inserted i ON i.config_id = grp.config_id AND i.request_id = r.request_id
), scored AS (
  -- Each score of an outcome stored now, joined by row position: a duplicate's scores are ignored with it.
  SELECT n.id AS outcome_id, n.g, n.at, s.score_key, s.value
  FROM unnest($20::integer[], $21::text[], $22::double precision[]) AS s(row_no, score_key, value)
  JOIN stored_rows n USING (row_no)
), scores_inserted AS (
  INSERT INTO outcome_scores (outcome_id, score_key, value, at)
  SELECT outcome_id, score_key, value, at FROM scored ORDER BY outcome_id, score_key
), score_sums AS (
  -- The scores summed per group, minute and key on the group's position, and only then given the
  -- group's ids: the rollups add these few rows instead of grouping every score by its text ids.
  SELECT grp.config_id, grp.version_id, grp.rollout_id, grp.variant, s.at, s.score_key, s.n, s.value, s.sq
  FROM (
    SELECT g, ${utcStartSql("minute", "at")} AS at, score_key, count(*) AS n, sum(value) AS value, sum(value * value) AS sq
    FROM scored GROUP BY 1, 2, 3
  ) AS s JOIN grp USING (g)
), ${scoreRollupCtes("score_sums", MINUTES_FROM)}` : ""}
SELECT count(*)::integer AS accepted FROM inserted`;
}
const INGEST_SQL = ingestSql(false);
const INGEST_WITH_SCORES_SQL = ingestSql(true);

const GROUPED = ["config_id", "version_id", "rollout_id", "variant"] as const satisfies readonly (keyof OutcomeRow)[];
const PER_ROW = [
  ["text", "request_id"], ["scalar", "is_error"], ["text", "error_type"], ["scalar", "latency_ms"], ["scalar", "latency_bucket"],
  ["scalar", "input_tokens"], ["scalar", "output_tokens"], ["scalar", "cost_usd"], ["scalar", "rating"], ["text", "input"], ["text", "output"], ["text", "at"],
  ["scalar", "ttft_ms"],
] as const satisfies readonly (readonly ["text" | "scalar", keyof OutcomeRow])[];

/** The statement's parameters: the distinct groups, each row's group position and its own columns, the oldest minute written, then any scores. */
function ingestParams(rows: readonly OutcomeRow[], withScores: boolean, minutesFrom: Date): string[] {
  const positions = new Map<string, number>();
  const groups: (string | null)[][] = GROUPED.map(() => []);
  const rowGroup: number[] = [];
  for (const row of rows) {
    const key = `${row.config_id}\u0000${row.version_id}\u0000${row.rollout_id ?? ""}\u0000${row.variant}`;
    let position = positions.get(key);
    if (position === undefined) {
      position = positions.size + 1;
      positions.set(key, position);
      GROUPED.forEach((column, i) => groups[i].push(row[column]));
    }
    rowGroup.push(position);
  }
  return [
    ...groups.map(textArrayLiteral),
    scalarArrayLiteral(rowGroup),
    ...PER_ROW.map(([kind, column]) =>
      kind === "text" ? textArrayLiteral(rows.map((row) => row[column] as string | null)) : scalarArrayLiteral(rows.map((row) => row[column] as number | boolean | null)),
    ),
    minutesFrom.toISOString(),
    ...(withScores ? scoreParams(rows) : []),
  ];
}

/** Scores as three columns, each naming its row by position (1-based, as the row columns' ordinality). */
function scoreParams(rows: readonly OutcomeRow[]): string[] {
  const scoreRow: number[] = [];
  const scoreKey: string[] = [];
  const scoreValue: number[] = [];
  rows.forEach((row, i) => {
    for (const [key, value] of row.scores) {
      scoreRow.push(i + 1);
      scoreKey.push(key);
      scoreValue.push(value);
    }
  });
  return [scalarArrayLiteral(scoreRow), textArrayLiteral(scoreKey), scalarArrayLiteral(scoreValue)];
}

/** The UTC days of the rows' times (ISO strings, as attribution writes them). */
function daysOf(rows: readonly OutcomeRow[]): Date[] {
  const days = new Set<string>();
  for (const row of rows) days.add(row.at.slice(0, 10));
  return [...days].map((day) => new Date(`${day}T00:00:00Z`));
}

/**
 * Where a batch's attributed outcomes are stored; resolves with how many were new. On this
 * thread's database (storeOn), or on the server's other thread for the gateway's outcomes
 * (lib/server/console.ts), so that their statement's work stays off the thread serving calls.
 */
export type OutcomeStore = (rows: readonly OutcomeRow[], minutesFrom: Date) => Promise<number>;

export const storeOn =
  (db: Database): OutcomeStore =>
  (rows, minutesFrom) =>
    insertOutcomes(db, rows, minutesFrom);

/**
 * Stores a batch whose request ids are distinct (attribution drops repeats), with the scores of
 * the outcomes that were new; returns how many outcomes were new. Minute rollups before
 * `minutesFrom` are not written. The partitions the batch writes to are made first if missing.
 * Columns go as array literals through unnest(), which Postgres reads faster than the same rows
 * as JSON; the statement goes straight to the driver, prepared once per connection.
 */
export async function insertOutcomes(db: Database, rows: readonly OutcomeRow[], minutesFrom: Date): Promise<number> {
  const withScores = rows.some((row) => row.scores.length > 0);
  const params = ingestParams(rows, withScores, minutesFrom);
  const [sql, name] = withScores ? [INGEST_WITH_SCORES_SQL, "llm_canary_ingest_scores"] : [INGEST_SQL, "llm_canary_ingest"];
  const days = daysOf(rows);
  const ensure = () => ensurePartitionsAt(db, days, (spec, day) => spec.kept !== "minutes" || day >= minutesFrom);
  await ensure();
  // The statement is atomic, so running it again after a deadlock or serialization failure is safe;
  // so it is after a partition it needed was dropped by another instance since this one looked.
  const run = () => retryOnConflict(() => db.query<{ accepted: number }>(sql, params, name));
  const [result] = await run().catch(async (error: unknown) => {
    if (!isMissingPartition(error)) throw error;
    forgetPartitions(db);
    await ensure();
    return run();
  });
  return Number(result.accepted);
}
