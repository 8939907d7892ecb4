import type { Database } from "../db/client";
import { scalarArrayLiteral, textArrayLiteral } from "../db/array-literal";
import { retryOnConflict } from "../db/retry";
import { scoreRollupCtes } from "./score-rollups";

// POST /api/scores: find the outcomes the scores are for, then store the scores and shift their
// rollups in one statement, so raw scores and rollups never disagree.

export interface FoundOutcome {
  /** The position of the event in its batch (0-based). */
  event: number;
  /** outcomes.id, as text (a bigint). */
  id: string;
  /** The outcome's `at`, its partition key, as ISO text. */
  at: string;
  config_id: string;
  rollout_id: string | null;
}

/**
 * The stored outcomes of each (event, request id, config id) lookup: through outcome_keys to the
 * outcome's id and time, then to the outcome in its day's partition only. A lookup without a
 * config finds the request id in every config — among `within` (config ids) when that is given —
 * in one probe of the key, which leads with the request id; it may find several.
 */
export function findOutcomes(db: Database, lookups: readonly { event: number; requestId: string; configId: string | null }[], within: readonly string[] | null): Promise<FoundOutcome[]> {
  return db.query<FoundOutcome>(
    `SELECT l.event, o.id::text AS id, to_json(o.at) #>> '{}' AS at, o.config_id, o.rollout_id
     FROM unnest($1::integer[], $2::text[], $3::text[]) AS l(event, request_id, config_id)
     JOIN outcome_keys k ON k.request_id = l.request_id
       AND (k.config_id = l.config_id OR (l.config_id IS NULL AND ($4::text[] IS NULL OR k.config_id = ANY($4::text[]))))
     JOIN outcomes o ON o.id = k.outcome_id AND o.at = k.at`,
    [
      scalarArrayLiteral(lookups.map((l) => l.event)),
      textArrayLiteral(lookups.map((l) => l.requestId)),
      textArrayLiteral(lookups.map((l) => l.configId)),
      within === null ? null : textArrayLiteral(within),
    ],
    "llm_canary_find_scored_outcomes",
  );
}

/** One score of an outcome to store; `earlier`: values sent for the same outcome and key before it in the same batch. */
export interface ScoreWrite {
  outcomeId: string;
  /** The outcome's `at` (ISO): which partition its scores are in. */
  at: string;
  key: string;
  value: number;
  earlier: readonly number[];
}

// The upsert keeps the replaced value in the row's history (with the time it was scored), then
// its rollups move by the difference: a new score adds 1, value and value² to the outcome's minute
// and hour; a replaced one adds 0, new - old and new² - old². The replaced value is read from the
// history entry the upsert itself appended: ON CONFLICT sees the latest committed row, so two
// batches replacing the same score each shift by what they really replaced. Values sent twice
// in one batch go to the history in order (a row can be upserted once per statement).
// Outcome-score rows are upserted in key order, and all of them before any rollup row is locked
// (the main query reads `stored`); rollups as in lib/metrics/score-rollups.ts, like ingest. A score
// whose outcome is no longer stored (its day dropped since it was found) is not stored either.
const STORE_SQL = `
WITH s AS (
  SELECT s.outcome_id, s.score_key, s.value, s.at, coalesce((
      SELECT jsonb_agg(jsonb_build_object('value', e.v, 'at', now()) ORDER BY e.i)
      FROM jsonb_array_elements(s.earlier::jsonb) WITH ORDINALITY AS e(v, i)), '[]'::jsonb) AS earlier
  FROM unnest($1::bigint[], $2::text[], $3::double precision[], $4::text[], $5::timestamptz[]) AS s(outcome_id, score_key, value, earlier, at)
  WHERE EXISTS (SELECT 1 FROM outcomes o WHERE o.id = s.outcome_id AND o.at = s.at)
), stored AS (
  INSERT INTO outcome_scores AS os (outcome_id, score_key, value, history, at)
  SELECT outcome_id, score_key, value, earlier, at FROM s ORDER BY outcome_id, score_key
  ON CONFLICT (outcome_id, score_key, at) DO UPDATE SET value = excluded.value, scored_at = now(),
    history = os.history || jsonb_build_array(jsonb_build_object('value', os.value, 'at', os.scored_at)) || excluded.history
  RETURNING outcome_id, score_key, value, history
), replaced AS (
  -- An inserted row's history is exactly its batch's earlier values; an updated row's has the
  -- replaced value just before them.
  SELECT stored.outcome_id, stored.score_key, stored.value, s.at, jsonb_array_length(s.earlier) AS earlier,
    CASE WHEN jsonb_array_length(stored.history) > jsonb_array_length(s.earlier)
      THEN (stored.history -> (jsonb_array_length(stored.history) - jsonb_array_length(s.earlier) - 1) ->> 'value')::double precision END AS old
  FROM stored JOIN s USING (outcome_id, score_key)
), shifted AS (
  SELECT o.config_id, o.version_id, o.rollout_id, o.variant, o.at, r.score_key,
    CASE WHEN r.old IS NULL THEN 1 ELSE 0 END AS n,
    r.value - coalesce(r.old, 0) AS value, r.value * r.value - coalesce(r.old * r.old, 0) AS sq
  FROM replaced r JOIN outcomes o ON o.id = r.outcome_id AND o.at = r.at
), ${scoreRollupCtes("shifted", "$6")}
SELECT count(*)::integer + coalesce(sum(earlier), 0)::integer AS accepted, count(old)::integer + coalesce(sum(earlier), 0)::integer AS replaced FROM replaced`;

/**
 * Stores the scores (each (outcome, key) once) and shifts their rollups, minute rollups only from
 * `minutesFrom` on; how many values were stored and replaced.
 */
export async function storeScores(db: Database, writes: readonly ScoreWrite[], minutesFrom: Date): Promise<{ accepted: number; replaced: number }> {
  const params = [
    textArrayLiteral(writes.map((w) => w.outcomeId)),
    textArrayLiteral(writes.map((w) => w.key)),
    scalarArrayLiteral(writes.map((w) => w.value)),
    textArrayLiteral(writes.map((w) => (w.earlier.length ? JSON.stringify(w.earlier) : null))),
    textArrayLiteral(writes.map((w) => w.at)),
    minutesFrom.toISOString(),
  ];
  // One atomic statement: running it again after a deadlock or serialization failure is safe.
  const [result] = await retryOnConflict(() => db.query<{ accepted: number; replaced: number }>(STORE_SQL, params, "llm_canary_store_scores"));
  return { accepted: Number(result.accepted), replaced: Number(result.replaced) };
}
