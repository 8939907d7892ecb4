import { assertKeyMayReport, type ConfigLimitedKey } from "../auth/api-key-configs";
import type { Database } from "../db/client";
import { minutesKeptFrom, retentionSettings, type Retention } from "../db/retention";
import { ConflictError, NotFoundError, type ErrorDetail } from "../errors";
import { maybeNewer } from "../snapshot/miss";
import type { Snapshot } from "../snapshot/snapshot";
import { parseInput, validationError } from "../validation";
import { findOutcomes, storeScores, type FoundOutcome, type ScoreWrite } from "./late-score-repo";
import { checkScores } from "./score-check";
import { LateScoresBatchInput, type ScoresAcceptedDto } from "./schemas";

// POST /api/scores: custom scores that arrive after their outcome (an evaluation model's verdict,
// a user's thumbs-down). A batch is stored whole or not at all. What is wrong with it, checked in
// this order, is answered with the first kind found, every problem of that kind listed:
//   400  a malformed event, or a score the config does not define or whose value does not fit it;
//   403  an event of a config outside the key's list;
//   409  a request id without `config` that was reported for several configs;
//   404  a request id whose outcome is not stored (yet): the client sends the batch again later
//        (the SDK sends the other events at once and keeps retrying these, `events.N.requestId`).
// The first three cannot succeed by waiting, so they come before the 404 that may.

/** The ids of the configs a limited key may use, where an event without `config` is looked for; null: every config. */
function searchable(snapshot: Snapshot, key: ConfigLimitedKey): string[] | null {
  if (key.configs === null) return null;
  return key.configs.flatMap((name) => snapshot.configsByKey.get(name)?.id ?? []);
}

function more(count: number, noun: string): string {
  return count > 0 ? ` (and ${count} more ${noun}${count > 1 ? "s" : ""})` : "";
}

/** The writes of a batch, each (outcome, key) once, with the values sent before its last in `earlier`. */
function mergeWrites(writes: ScoreWrite[]): ScoreWrite[] {
  const byKey = new Map<string, ScoreWrite>();
  for (const write of writes) {
    const key = `${write.outcomeId}\u0000${write.key}`;
    const before = byKey.get(key);
    byKey.set(key, before ? { ...write, earlier: [...before.earlier, before.value] } : write);
  }
  return [...byKey.values()];
}

export async function recordScores(
  db: Database,
  snapshot: Snapshot,
  key: ConfigLimitedKey,
  raw: unknown,
  now = new Date(),
  retention: Retention = retentionSettings(),
): Promise<{ answer: ScoresAcceptedDto; rolloutIds: string[] }> {
  const { events } = parseInput(LateScoresBatchInput, raw);
  assertKeyMayReport(key, events, "scores");
  const unknown: ErrorDetail[] = [];
  events.forEach((event, i) => {
    if (event.config !== undefined && !snapshot.configsByKey.has(event.config)) {
      unknown.push({ path: `events.${i}.config`, message: `names no config (\`${event.config}\`)` });
    }
  });
  // Perhaps made a moment ago on another instance: the client API reloads and tries again once.
  if (unknown.length) throw maybeNewer(validationError(unknown));

  const lookups = events.map((event, i) => ({ event: i, requestId: event.requestId, configId: event.config === undefined ? null : snapshot.configsByKey.get(event.config)!.id }));
  const found = new Map<number, FoundOutcome[]>();
  for (const outcome of await findOutcomes(db, lookups, searchable(snapshot, key))) {
    const list = found.get(outcome.event);
    if (list) list.push(outcome);
    else found.set(outcome.event, [outcome]);
  }
  const configById = snapshot.configsById;

  const invalid: ErrorDetail[] = [];
  const ambiguous: { index: number; configs: string[] }[] = [];
  const missing: number[] = [];
  const writes: ScoreWrite[] = [];
  events.forEach((event, i) => {
    const outcomes = found.get(i) ?? [];
    // The definitions to check against: the config the event names, else the one its outcome is in.
    const config = snapshot.configsByKey.get(event.config ?? "") ?? (outcomes.length === 1 ? configById.get(outcomes[0].config_id) : undefined);
    const checked = config ? checkScores(config, event.scores, `events.${i}.scores`) : null;
    if (checked?.problems.length) invalid.push(...checked.problems);
    else if (outcomes.length > 1) ambiguous.push({ index: i, configs: outcomes.map((o) => configById.get(o.config_id)?.key ?? o.config_id).sort() });
    else if (outcomes.length === 0 || !checked) missing.push(i);
    else for (const [scoreKey, value] of checked.values) writes.push({ outcomeId: outcomes[0].id, at: outcomes[0].at, key: scoreKey, value, earlier: [] });
  });
  // An unknown score key may be a definition made a moment ago on another instance.
  if (invalid.length) throw maybeNewer(validationError(invalid));
  if (ambiguous.length) {
    const [first] = ambiguous;
    const names = first.configs.map((c) => `\`${c}\``).join(", ");
    throw new ConflictError(
      `Request id "${events[first.index].requestId}" (\`events.${first.index}.requestId\`) was reported for several configs (${names})${more(ambiguous.length - 1, "event")}; ` +
        "send `config` to say which. Nothing was stored.",
      undefined,
      ambiguous.map(({ index, configs }) => ({ path: `events.${index}.config`, message: `is needed: the request id was reported for ${configs.map((c) => `\`${c}\``).join(", ")}` })),
    );
  }
  if (missing.length) {
    const [first] = missing;
    const where = events[first].config !== undefined ? ` in config \`${events[first].config}\`` : "";
    throw new NotFoundError(
      `No outcome with request id "${events[first].requestId}" (\`events.${first}.requestId\`) is stored${where}${more(missing.length - 1, "event")}; ` +
        "nothing was stored. Send scores after their outcome reached /api/metrics, or send this batch again later.",
      missing.map((i) => ({ path: `events.${i}.requestId`, message: "names no stored outcome (yet)" })),
    );
  }
  const answer = await storeScores(db, mergeWrites(writes), minutesKeptFrom(retention, now));
  const rolloutIds = [...new Set([...found.values()].flatMap((outcomes) => outcomes.flatMap((o) => (o.rollout_id ? [o.rollout_id] : []))))];
  return { answer, rolloutIds };
}

/**
 * Scores the product computed itself for stored outcomes (an evaluator's verdicts), by outcome
 * id and time, already checked against their definitions: stored exactly as POST /api/scores
 * stores a late score (the same statement: the replaced value kept in the history, the rollups
 * shifted), so the judge sees them as it sees any client's.
 */
export async function storeOutcomeScores(
  db: Database,
  scores: readonly { outcomeId: string; at: string; key: string; value: number }[],
): Promise<{ accepted: number; replaced: number }> {
  return storeScores(db, mergeWrites(scores.map((score) => ({ ...score, earlier: [] }))), minutesKeptFrom(retentionSettings(), new Date()));
}
