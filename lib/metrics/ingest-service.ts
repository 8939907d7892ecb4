import { assertKeyMayReport, type ConfigLimitedKey } from "../auth/api-key-configs";
import { minutesKeptFrom, oldestAccepted, retentionSettings, type Retention } from "../db/retention";
import { ValidationError } from "../errors";
import { maybeNewer } from "../snapshot/miss";
import type { Snapshot } from "../snapshot/snapshot";
import { findUnstorableText, isCleanJson } from "../text-check";
import { parseInput, validationError } from "../validation";
import { attributeEvents, type OutcomeRow } from "./attribution";
import type { OutcomeStore } from "./ingest-repo";
import { MetricsBatchEnvelope, OutcomeEventInput, type MetricsAcceptedDto } from "./schemas";

const SLICE = 100;
const EventSlice = OutcomeEventInput.array();

/**
 * Checks the events a hundred at a time, yielding to the event loop between slices: a full batch
 * takes several milliseconds to check, and /api/route requests on the same process should not
 * wait behind it. Every problem of every event is reported, as one schema parse would.
 */
async function checkEvents(raw: unknown): Promise<OutcomeEventInput[]> {
  const { events } = parseInput(MetricsBatchEnvelope, raw, "request body", { deferTextCheck: true });
  const checked: OutcomeEventInput[] = [];
  const problems = [];
  for (let offset = 0; offset < events.length; offset += SLICE) {
    if (offset > 0) await new Promise((resolve) => setImmediate(resolve));
    const result = EventSlice.safeParse(events.slice(offset, offset + SLICE));
    if (result.success) checked.push(...result.data);
    else problems.push(...result.error.issues.map((issue) => ({ path: ["events", Number(issue.path[0]) + offset, ...issue.path.slice(1)].join("."), message: issue.message })));
  }
  if (problems.length) throw validationError(problems);
  const unstorable = isCleanJson(raw) ? null : findUnstorableText(checked);
  if (unstorable) throw validationError([{ ...unstorable, path: `events.${unstorable.path}` }]);
  return checked;
}

/**
 * POST /api/metrics: validates every event (any problem refuses the whole batch, naming each
 * event's index and field — an event older than the retention too), attributes each to its rollout
 * and variant, keeps its samples as the config's policy says, and stores the batch in one
 * statement. Also returns the rollouts the stored outcomes belong to. A key limited to some
 * configs gets 403 naming each event of another config, and nothing is stored. `store` is
 * usually storeOn(db) (./ingest-repo.ts).
 */
export async function ingestBatch(
  store: OutcomeStore,
  snapshot: Snapshot,
  key: ConfigLimitedKey,
  raw: unknown,
  now = new Date(),
  retention: Retention = retentionSettings(),
): Promise<{ answer: MetricsAcceptedDto; rolloutIds: string[] }> {
  const events = await checkEvents(raw);
  assertKeyMayReport(key, events);
  const kept = { oldest: oldestAccepted(retention, now), days: retention.outcomes };
  let attribution = attributeEvents(snapshot, events, now, kept);
  // Outcomes of versions no longer live or of older rollouts: read what they need, then again.
  if (attribution.questions) attribution = attributeEvents(snapshot, events, now, kept, await snapshot.past.answer(attribution.questions));
  if (!attribution.rows) {
    const [first] = attribution.problems;
    const others = attribution.problems.length - 1;
    const more = others > 0 ? ` (and ${others} more problem${others > 1 ? "s" : ""})` : "";
    throw maybeNewer(new ValidationError(`The \`${first.path}\` field ${first.message}${more}; nothing was stored.`, attribution.problems));
  }
  return storeRows(store, attribution.rows, events.length, now, retention);
}

/**
 * Stores attributed rows (the second half of ingestBatch, and all the gateway's recorder does:
 * its calls are attributed as they end) and answers as /api/metrics does, with the rollouts the
 * batch may have changed the verdict of: the controller judges them now. `sent`: how many events
 * the rows came from (repeats inside a batch make no row).
 */
export async function storeRows(
  store: OutcomeStore,
  rows: readonly OutcomeRow[],
  sent: number,
  now = new Date(),
  retention: Retention = retentionSettings(),
): Promise<{ answer: MetricsAcceptedDto; rolloutIds: string[] }> {
  const accepted = await store(rows, minutesKeptFrom(retention, now));
  const rolloutIds = accepted ? [...new Set(rows.flatMap((row) => (row.rollout_id ? [row.rollout_id] : [])))] : [];
  return { answer: { accepted, duplicates: sent - accepted }, rolloutIds };
}
