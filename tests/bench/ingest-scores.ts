// The "3 scores on every event" case of bench:ingest: the config's three custom scores, the
// scores each simulated event carries, the direct set-based INSERT of outcomes plus their score
// rows that the app is measured against, and the check that the score rollups equal a
// recomputation from the stored scores.
import type pg from "pg";
import type { Actor } from "../../lib/auth/actor";
import { scalarArrayLiteral, textArrayLiteral } from "../../lib/db/array-literal";
import { openDatabase } from "../../lib/db/client";
import { createScore } from "../../lib/release/score-service";

const SCORES = [
  { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 },
  { key: "valid_json", label: "Valid JSON", kind: "boolean" },
  { key: "turns", label: "Turns", kind: "numeric", min: 1, max: 20, direction: "lower_is_better", guardrail: false },
] as const;

/** Defines the three scores on the seeded config (through the product's own service). */
export async function defineBenchScores(url: string, configKey: string): Promise<void> {
  const db = await openDatabase({ url });
  const system: Actor = { type: "system", id: null, label: "bench", scopes: [] };
  try {
    for (const score of SCORES) await createScore(db.prisma, system, configKey, score);
  } finally {
    await db.close();
  }
}

/** An evaluator's verdicts on one request: a 0..1 score, a pass/fail check and a count. */
export function scoreFields(i: number) {
  return { groundedness: Math.round(600 + 400 * Math.random()) / 1000, valid_json: Math.random() < 0.95, turns: 1 + (i % 6) };
}

export function scoresJson(s: ReturnType<typeof scoreFields>): string {
  return `"scores":{"groundedness":${s.groundedness},"valid_json":${s.valid_json},"turns":${s.turns}}`;
}

/**
 * The 13 outcome columns as parameters, a key for each new one in outcome_keys (what makes storing
 * idempotent: outcomes is partitioned by day and cannot hold (config, request id) unique itself),
 * and the outcomes whose key was new: the least a hand-written statement does to store the same
 * rows once in this schema. The app's statement does this and its rollups besides.
 */
export const DIRECT_OUTCOMES_CTES = `
WITH keyed AS (
  -- The key's three columns read on their own, as the app does: a CTE of all the rows read twice would be materialized.
  INSERT INTO outcome_keys (config_id, request_id, at, outcome_id)
  SELECT config_id, request_id, at, nextval('outcomes_id_seq') FROM unnest($1::text[], $2::text[], $13::timestamptz[]) AS k(config_id, request_id, at)
  ORDER BY config_id, request_id
  ON CONFLICT (config_id, request_id) DO NOTHING
  RETURNING config_id, request_id, outcome_id
), stored AS (
  INSERT INTO outcomes (id, config_id, request_id, version_id, rollout_id, variant, is_error, latency_ms, latency_bucket, input_tokens, output_tokens, cost_usd, rating, at)
  SELECT k.outcome_id, t.config_id, t.request_id, t.version_id, t.rollout_id, t.variant, t.is_error, t.latency_ms, t.latency_bucket, t.input_tokens, t.output_tokens,
    t.cost_usd, t.rating, t.at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::"Variant"[], $6::bool[], $7::int[], $8::smallint[], $9::int[], $10::int[], $11::float8[], $12::smallint[], $13::timestamptz[])
    AS t(config_id, request_id, version_id, rollout_id, variant, is_error, latency_ms, latency_bucket, input_tokens, output_tokens, cost_usd, rating, at)
  JOIN keyed k USING (config_id, request_id)
  RETURNING id, request_id, at
)`;

/**
 * The outcomes and their score rows in one set-based statement: outcomes first, each score row
 * joined to its new outcome, inserted in key order (as the app does: the index's fast path for
 * rising keys). It answers how many outcomes it stored.
 */
export const DIRECT_SCORED_SQL = `${DIRECT_OUTCOMES_CTES}, scores AS (
  INSERT INTO outcome_scores (outcome_id, score_key, value, at)
  SELECT stored.id, s.score_key, s.value, stored.at FROM unnest($14::text[], $15::text[], $16::float8[]) AS s(request_id, score_key, value) JOIN stored USING (request_id)
  ORDER BY stored.id, s.score_key
)
SELECT count(*)::integer AS stored FROM stored`;

/**
 * DIRECT_SCORED_SQL's parameters: the 13 outcome columns, then the score rows as three columns,
 * as array literals built directly (lib/db/array-literal.ts), as the app sends its own: the
 * baseline pays no more to encode its batch than the app does.
 */
export function directScoredParams(columns: unknown[][], rows: { requestId: string; scores: ReturnType<typeof scoreFields> }[]): string[] {
  const scoreColumns: [string[], string[], number[]] = [[], [], []];
  for (const { requestId, scores } of rows) {
    for (const [key, value] of Object.entries(scores)) {
      scoreColumns[0].push(requestId);
      scoreColumns[1].push(key);
      scoreColumns[2].push(typeof value === "boolean" ? Number(value) : value);
    }
  }
  const literal = (column: unknown[]) =>
    column.some((v) => typeof v === "string" || v instanceof Date)
      ? textArrayLiteral(column.map((v) => (v instanceof Date ? v.toISOString() : (v as string | null))))
      : scalarArrayLiteral(column as (number | boolean | null)[]);
  return [...columns.map(literal), textArrayLiteral(scoreColumns[0]), textArrayLiteral(scoreColumns[1]), scalarArrayLiteral(scoreColumns[2])];
}

/**
 * Score rows of the outcomes stored under `prefix`, those outcomes without all their score rows,
 * and the score rollup rows (minute and hour)
 * that differ from a recomputation from them: a different count, a missing or extra row, or a sum
 * off by more than a float summed in another order can be (1e-9 of it).
 */
export async function checkScoreRollups(db: pg.Client, configId: string, prefix: string): Promise<{ scoreRows: number; incomplete: number; mismatched: number }> {
  const counted = async (sql: string) => Number((await db.query(sql, [configId, `${prefix}%`])).rows[0].count);
  const scoreRows = await counted(`SELECT count(*) FROM outcome_scores s JOIN outcomes o ON o.id = s.outcome_id WHERE o.config_id = $1 AND o.request_id LIKE $2`);
  const incomplete = await counted(
    `SELECT count(*) FROM outcomes o WHERE o.config_id = $1 AND o.request_id LIKE $2 AND (SELECT count(*) FROM outcome_scores s WHERE s.outcome_id = o.id) <> ${SCORES.length}`,
  );
  let mismatched = 0;
  for (const [unit, table] of [["minute", "score_rollups"], ["hour", "score_rollups_hourly"]]) {
    const recomputed = `SELECT o.rollout_id, o.version_id, date_trunc('${unit}', o.at, 'UTC') AS ${unit}, s.score_key,
        count(*)::int AS count, sum(s.value) AS sum, sum(s.value * s.value) AS sq_sum
      FROM outcome_scores s JOIN outcomes o ON o.id = s.outcome_id WHERE o.config_id = $1 AND o.request_id LIKE $2 GROUP BY 1, 2, 3, 4`;
    const stored = `SELECT rollout_id, version_id, ${unit}, score_key, count, sum, sq_sum FROM ${table} WHERE config_id = $1`;
    const near = (column: string) => `abs(r.${column} - t.${column}) <= 1e-9 * greatest(1, abs(r.${column}))`;
    const diff = `SELECT count(*) FROM (${recomputed}) r FULL JOIN (${stored}) t
      ON r.rollout_id IS NOT DISTINCT FROM t.rollout_id AND r.version_id = t.version_id AND r.${unit} = t.${unit} AND r.score_key = t.score_key
      WHERE r.count IS DISTINCT FROM t.count OR NOT (${near("sum")} AND ${near("sq_sum")})`;
    mismatched += Number((await db.query(diff, [configId, `${prefix}%`])).rows[0].count);
  }
  return { scoreRows, incomplete, mismatched };
}
