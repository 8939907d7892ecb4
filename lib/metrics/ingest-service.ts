import type { Database } from "../db/client";
import { ValidationError } from "../errors";
import { maybeNewer } from "../snapshot/miss";
import type { Snapshot } from "../snapshot/snapshot";
import { parseInput } from "../validation";
import { attributeEvents } from "./attribution";
import { insertOutcomes } from "./ingest-repo";
import { MetricsBatchInput, type MetricsAcceptedDto } from "./schemas";

/**
 * POST /api/metrics: validates every event (any problem refuses the whole batch, naming each
 * event's index and field), attributes each to its rollout and variant, and stores the batch in
 * one statement. Also returns the rollouts the stored outcomes belong to.
 */
export async function ingestBatch(db: Database, snapshot: Snapshot, raw: unknown, now = new Date()): Promise<{ answer: MetricsAcceptedDto; rolloutIds: string[] }> {
  const { events } = parseInput(MetricsBatchInput, raw);
  const attribution = attributeEvents(snapshot, events, now);
  if (!attribution.rows) {
    const [first] = attribution.problems;
    const others = attribution.problems.length - 1;
    const more = others > 0 ? ` (and ${others} more problem${others > 1 ? "s" : ""})` : "";
    throw maybeNewer(new ValidationError(`The \`${first.path}\` field ${first.message}${more}; nothing was stored.`, attribution.problems));
  }
  const accepted = await insertOutcomes(db, attribution.rows);
  // The rollouts this batch may have changed the verdict of: the controller judges them now.
  const rolloutIds = accepted ? [...new Set(attribution.rows.flatMap((row) => (row.rollout_id ? [row.rollout_id] : [])))] : [];
  return { answer: { accepted, duplicates: events.length - accepted }, rolloutIds };
}
