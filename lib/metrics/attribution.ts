import type { ErrorDetail } from "../errors";
import { PastQuestions, rolloutAtKey, type Past } from "../snapshot/past";
import type { ConfigEntry, RolloutSpan, Snapshot } from "../snapshot/snapshot";
import { costOfTokens } from "../pricing/cost";
import { latencyBucket } from "./latency-buckets";
import { MAX_FUTURE_SKEW_MS } from "../limits";
import { keepsSamples } from "../release/sample-policy";
import { checkScores, type ScoreValue } from "./score-check";
import type { OutcomeEventInput } from "./schemas";

// Which rollout and variant an outcome belongs to, decided at ingest from the routing snapshot.
// The rollout is the one the route answer named (`rolloutId`; null: none), or, when the client
// did not send it, the rollout that was running at `at` and compares this version — so a late
// outcome of an ended rollout never lands in the next one. Within a rollout its canary version
// is the canary and its base version the stable control group. Outside a rollout there is no
// comparison; the variant then only says whether the version is the config's stable one.
// The snapshot holds live versions and each config's latest rollouts; an event about an older
// one is answered by `past` (lib/snapshot/past.ts): the first pass collects what it does not
// know as questions, the caller reads the answers and runs it again. The samples an event
// carries are kept as its config's sample policy says.

export interface OutcomeRow {
  config_id: string;
  request_id: string;
  version_id: string;
  rollout_id: string | null;
  variant: "stable" | "canary";
  is_error: boolean;
  error_type: string | null;
  latency_ms: number;
  latency_bucket: number;
  ttft_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  rating: number | null;
  input: string | null;
  output: string | null;
  at: string;
  /** The custom scores it carried, checked against the config's definitions. */
  scores: readonly ScoreValue[];
}

/**
 * `rows` holds each (config, request id) once: a repeat inside the batch is a duplicate.
 * `questions`: what `past` did not know; ask, then attribute again with the answers.
 */
export type Attribution =
  | { rows: OutcomeRow[]; problems: []; questions?: undefined }
  | { rows: null; problems: ErrorDetail[]; questions?: undefined }
  | { rows: null; problems: ErrorDetail[]; questions: PastQuestions };

/** How old an event may be: outcomes are kept `days` days, so none older than `oldest` is stored. */
export interface Kept {
  oldest: Date;
  days: number;
}

/**
 * The model of the version an event names, if it is a version of `config`: from the config when
 * live, else from `past`. Null: not a version of the config; undefined: `past` did not know (ask).
 */
function modelOf(config: ConfigEntry, versionId: string, past: Past): string | null | undefined {
  if (config.stable?.id === versionId) return config.stable.llm.model;
  if (config.canary?.id === versionId) return config.canary.llm.model;
  const ref = past.version(versionId);
  return ref === undefined ? undefined : ref?.configId === config.id ? ref.model : null;
}

export function attributeEvents(snapshot: Snapshot, events: readonly OutcomeEventInput[], now: Date, kept: Kept, past: Past = snapshot.past): Attribution {
  const rows: OutcomeRow[] = [];
  const problems: ErrorDetail[] = [];
  const questions = new PastQuestions();
  const seen = new Set<string>();
  const nowIso = now.toISOString(); // most events carry no `at`: format the shared time once
  events.forEach((event, i) => {
    const config = snapshot.configsByKey.get(event.config);
    if (!config) {
      problems.push({ path: `events.${i}.config`, message: `names no config (\`${event.config}\`)` });
      return;
    }
    // Not known: asked, and the event goes on so that its other questions are asked in the same round.
    const model = modelOf(config, event.versionId, past);
    if (model === undefined) questions.versionIds.add(event.versionId);
    else if (model === null) {
      problems.push({ path: `events.${i}.versionId`, message: `names no version of config \`${event.config}\` (${event.versionId})` });
      return;
    }
    const at = event.at ? new Date(event.at) : now;
    if (at.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS) {
      problems.push({ path: `events.${i}.at`, message: "is more than 5 minutes in the future; check the client's clock" });
      return;
    }
    if (at.getTime() < kept.oldest.getTime()) {
      const message = `is more than ${kept.days} days in the past, older than this server keeps outcomes (LLM_CANARY_RETENTION_DAYS)`;
      problems.push({ path: `events.${i}.at`, message });
      return;
    }
    // Every event's scores are checked, a repeat's too: a batch with a bad value is refused whole.
    const scored = event.scores ? checkScores(config, event.scores, `events.${i}.scores`) : null;
    if (scored && scored.problems.length) {
      problems.push(...scored.problems);
      return;
    }
    const key = `${config.id}\u0000${event.requestId}`;
    if (seen.has(key)) return;
    seen.add(key);
    const rollout = rolloutOf(config, event, at.getTime(), past, questions);
    if (rollout === undefined || model === undefined) return; // asked
    if (typeof rollout === "string") {
      problems.push({ path: `events.${i}.rolloutId`, message: rollout });
      return;
    }
    const isCanary = rollout ? event.versionId === rollout.canaryVersionId : event.versionId !== config.stable?.id;
    rows.push(outcomeRow(snapshot, config, model, event, rollout?.id ?? null, isCanary, event.at ? at.toISOString() : nowIso, scored?.values ?? []));
  });
  if (questions.size > 0) return { rows: null, problems, questions };
  return problems.length ? { rows: null, problems } : { rows, problems: [] };
}

/** What an outcome row is made of besides its attribution: an event's fields, checked (or made by the server). */
export type OutcomeFields = Omit<OutcomeEventInput, "config" | "rolloutId" | "at" | "scores">;

/**
 * The stored row of an outcome attributed to `config`'s version (of `model`), rollout and variant:
 * its samples kept as the config's policy says, its cost from the model's price when the event
 * has none. The one place a row is made: for /api/metrics' events above, and for the gateway's
 * calls, which know their attribution from routing (lib/gateway/call-record.ts).
 */
export function outcomeRow(
  snapshot: Snapshot,
  config: ConfigEntry,
  model: string,
  event: OutcomeFields,
  rolloutId: string | null,
  isCanary: boolean,
  at: string,
  scores: readonly ScoreValue[],
): OutcomeRow {
  const sampled = (event.input != null || event.output != null) && keepsSamples(config.samplePolicy, event.requestId, event.isError, event.rating);
  return {
    config_id: config.id,
    request_id: event.requestId,
    version_id: event.versionId,
    rollout_id: rolloutId,
    variant: isCanary ? "canary" : "stable",
    is_error: event.isError,
    error_type: event.errorType ?? null,
    latency_ms: Math.round(event.latencyMs),
    latency_bucket: latencyBucket(event.latencyMs),
    ttft_ms: event.ttftMs == null ? null : Math.round(event.ttftMs),
    input_tokens: event.inputTokens ?? null,
    output_tokens: event.outputTokens ?? null,
    // A client that counts tokens but not money gets its cost from the version's model's price.
    cost_usd: event.costUsd ?? costOfTokens(snapshot.prices.get(model), event.inputTokens, event.outputTokens),
    rating: event.rating ?? null,
    input: sampled ? (event.input ?? null) : null,
    output: sampled ? (event.output ?? null) : null,
    at,
    scores,
  };
}

/** Whether the rollout compares this version: as its base (stable) or as its canary. */
function serves(span: RolloutSpan, versionId: string): boolean {
  return versionId === span.baseVersionId || versionId === span.canaryVersionId;
}

/**
 * The event's rollout, null for none, or why the `rolloutId` it names cannot be right; undefined
 * when only `past` can tell and did not know (the question is added). Plain loops, no callbacks:
 * this runs for every event, and each closure made per event cost more than the search (the
 * server runs under tsx, which also names every named closure as it is made).
 */
function rolloutOf(config: ConfigEntry, event: OutcomeEventInput, at: number, past: Past, questions: PastQuestions): RolloutSpan | null | string | undefined {
  if (event.rolloutId === null) return null;
  if (event.rolloutId === undefined) {
    for (const span of config.rollouts) {
      if (serves(span, event.versionId) && at >= span.startedAt && (span.endedAt === null || at <= span.endedAt)) return span;
    }
    // Rollouts run one at a time: an older one can only have covered a time before the last of them ended.
    if (config.olderRolloutsEndedAt === null || at > config.olderRolloutsEndedAt) return null;
    const found = past.rolloutAt(config.id, event.versionId, at);
    if (found === undefined) questions.rolloutsAt.set(rolloutAtKey(config.id, event.versionId, at), { configId: config.id, versionId: event.versionId, at });
    return found;
  }
  let span: RolloutSpan | null | undefined = null;
  for (const kept of config.rollouts) if (kept.id === event.rolloutId) span = kept;
  if (span === null && config.olderRolloutsEndedAt !== null) {
    const older = past.rollout(event.rolloutId);
    if (older === undefined) {
      questions.rolloutIds.add(event.rolloutId);
      return undefined;
    }
    span = older?.configId === config.id ? older : null;
  }
  if (!span) return `names no rollout of config \`${config.key}\` (${event.rolloutId})`;
  if (!serves(span, event.versionId)) return `names rollout ${span.id}, which does not serve version ${event.versionId}`;
  return span;
}
