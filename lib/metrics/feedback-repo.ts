import { Prisma } from "../db/generated/client";
import type { Tx } from "../db/types";

export interface RatedOutcome {
  id: bigint;
  config_id: string;
  config_key: string;
  version_id: string;
  rollout_id: string | null;
  at: Date;
  rating: number | null;
  rating_comment: string | null;
  rated_at: Date | null;
}

/**
 * The outcomes reported under this request id (one per config), locked for the transaction.
 * Looked up through outcome_keys' (request_id, config_id) key, which leads to the outcome's day:
 * one probe for the request id, whichever configs it was reported for.
 * `within`: only these configs (null: all).
 */
export function lockOutcomesByRequestId(tx: Tx, requestId: string, configKey: string | null, within: readonly string[] | null) {
  return tx.$queryRaw<RatedOutcome[]>`
    SELECT o.id, o.config_id, c.key AS config_key, o.version_id, o.rollout_id, o.at, o.rating, o.rating_comment, o.rated_at
    FROM outcome_keys k JOIN outcomes o ON o.id = k.outcome_id AND o.at = k.at JOIN configs c ON c.id = k.config_id
    WHERE k.request_id = ${requestId}
      AND k.config_id IN (SELECT id FROM configs WHERE (${configKey}::text IS NULL OR key = ${configKey}::text)
        AND (${within === null}::boolean OR key = ANY(${[...(within ?? [])]}::text[])))
    ORDER BY c.key
    FOR UPDATE OF o`;
}

/** Sets the rating; the one it replaces moves to rating_history, so no rating is ever lost. */
export function setOutcomeRating(tx: Tx, outcome: RatedOutcome, rating: number, comment: string | null) {
  const previous =
    outcome.rating === null
      ? "[]"
      : JSON.stringify([{ rating: outcome.rating, comment: outcome.rating_comment, at: outcome.rated_at?.toISOString() ?? null }]);
  return tx.$executeRaw`
    UPDATE outcomes SET rating = ${rating}::smallint, rating_comment = ${comment}::text, rated_at = now(),
      rating_history = rating_history || ${previous}::jsonb
    WHERE id = ${outcome.id} AND at = ${outcome.at}`;
}

/**
 * Moves the outcome's rating in its rollup rows (the minute and the hour the request happened):
 * one more rating, or one replaced by another. `histDelta` is +1 at the new rating and -1 at the old.
 */
export async function shiftRollupRating(tx: Tx, outcome: RatedOutcome, added: number, sumDelta: number, histDelta: number[]) {
  const hist = `{${histDelta.join(",")}}`;
  // Hour before minute: the ingest statement's rollup upserts run in that order (Postgres runs
  // a statement's unreferenced data-modifying CTEs last one first), and locking the rows in the
  // same order keeps a rating and a batch from deadlocking over them.
  for (const [table, unit] of [["metric_rollups_hourly", "hour"], ["metric_rollups", "minute"]] as const) {
    await tx.$executeRaw`
      UPDATE ${Prisma.raw(table)} SET rating_count = rating_count + ${added}::integer, rating_sum = rating_sum + ${sumDelta}::integer,
        rating_hist = llm_canary_hist_sum(rating_hist, ${hist}::integer[])
      WHERE config_id = ${outcome.config_id} AND version_id = ${outcome.version_id}
        AND ${Prisma.raw(unit)} = date_trunc(${unit}, ${outcome.at}::timestamptz, 'UTC')
        AND rollout_id IS NOT DISTINCT FROM ${outcome.rollout_id}::text`;
  }
}
