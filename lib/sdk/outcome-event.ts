import {
  CONFIG_KEY_PATTERN,
  MAX_AGE_MS,
  MAX_COST_USD,
  MAX_ERROR_TYPE_CHARS,
  MAX_FUTURE_SKEW_MS,
  MAX_LATENCY_MS,
  MAX_REQUEST_ID_CHARS,
  MAX_SAMPLE_CHARS,
  MAX_TOKENS,
  MAX_VERSION_ID_CHARS,
} from "../limits";
import { normalizeScores, type Scores } from "./scores";
import { isRecord } from "./transport";

// Outcome events, checked the way the server checks them (with the server's own limits, from a
// module without imports) so that a bad event is refused by report() rather than by the server.

/**
 * What `report()` takes: the route answer's `requestId`, `config`, `versionId` and `rolloutId`
 * (spreading the whole answer is fine) and how the call went.
 */
export interface OutcomeEvent {
  requestId: string;
  config: string;
  versionId: string;
  /**
   * The route answer's `rolloutId`: the rollout that chose this version, or null when it was
   * routed outside any rollout. Sent as given, so the outcome counts for the rollout that served
   * it even when it arrives after that rollout ended. Omitted: the server infers it from `at`.
   */
  rolloutId?: string | null;
  isError: boolean;
  latencyMs: number;
  /** Time to the first token of a streamed answer, in ms. */
  ttftMs?: number | null;
  /** 1..5; a later `feedback()` replaces it. */
  rating?: number | null;
  /**
   * The config's custom scores for this request, by key: a number for a numeric score, true or
   * false for a boolean one (e.g. `{ groundedness: 0.82, valid_json: true }`). Scores known only
   * later go to `score()`. The server refuses a key the config does not define or a value out of
   * its range (the whole batch; the SDK then drops that outcome and sends the rest).
   */
  scores?: Scores | null;
  errorType?: string | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  costUsd?: number | null;
  /** Samples of the prompt and the answer; cut to 4000 characters, as the server would. */
  input?: string | null;
  output?: string | null;
  /** When it happened. Default: when the server receives it (a client clock more than 5 minutes fast gets the event refused). */
  at?: string | Date | null;
}

/** An outcome as sent to POST /api/metrics: known fields only, `at` as ISO 8601. */
export interface WireEvent extends Omit<OutcomeEvent, "at" | "scores"> {
  at?: string;
  scores?: Record<string, number | boolean>;
}

/**
 * The event as sent, or why the server would refuse it. Only known fields are kept; samples are
 * cut as the server would. What only the server knows (whether the version and rollout belong to
 * the config) is checked there.
 */
export function normalizeEvent(outcome: OutcomeEvent): WireEvent | string {
  if (!isRecord(outcome)) return "the outcome must be an object";
  const { requestId, config, versionId, rolloutId, isError, latencyMs } = outcome;
  const badRequestId = requestIdProblem(requestId);
  if (badRequestId) return badRequestId;
  if (typeof config !== "string" || !CONFIG_KEY_PATTERN.test(config)) return "`config` must be a config key like support-chat";
  if (!text(versionId, 1, MAX_VERSION_ID_CHARS)) return "`versionId` must be the route answer's version id";
  if (rolloutId !== undefined && rolloutId !== null && !text(rolloutId, 1, MAX_VERSION_ID_CHARS)) {
    return `\`rolloutId\` must be the route answer's rollout id (1-${MAX_VERSION_ID_CHARS} characters) or null`;
  }
  if (typeof isError !== "boolean") return "`isError` must be a boolean";
  if (!number(latencyMs, 0, MAX_LATENCY_MS)) return `\`latencyMs\` must be a number from 0 to ${MAX_LATENCY_MS}`;
  const event: WireEvent = { requestId, config, versionId, ...(rolloutId === undefined ? {} : { rolloutId }), isError, latencyMs };
  const { rating, errorType, inputTokens, outputTokens, costUsd, input, output, at, ttftMs } = outcome;
  const scores = outcome.scores == null ? null : normalizeScores(outcome.scores);
  if (typeof scores === "string") return scores;
  if (rating != null && !(Number.isInteger(rating) && number(rating, 1, 5))) return "`rating` must be a whole number from 1 to 5";
  if (ttftMs != null && !number(ttftMs, 0, MAX_LATENCY_MS)) return `\`ttftMs\` must be a number from 0 to ${MAX_LATENCY_MS}`;
  if (errorType != null && !text(errorType, 0, MAX_ERROR_TYPE_CHARS)) return `\`errorType\` must be a string of at most ${MAX_ERROR_TYPE_CHARS} characters`;
  for (const [name, count] of [["inputTokens", inputTokens], ["outputTokens", outputTokens]] as const) {
    if (count != null && !(Number.isInteger(count) && number(count, 0, MAX_TOKENS))) return `\`${name}\` must be a whole number from 0 to ${MAX_TOKENS}`;
  }
  if (costUsd != null && !number(costUsd, 0, MAX_COST_USD)) return `\`costUsd\` must be a number from 0 to ${MAX_COST_USD}`;
  if (input != null && typeof input !== "string") return "`input` must be a string";
  if (output != null && typeof output !== "string") return "`output` must be a string";
  const when = at == null ? null : new Date(at);
  if (when && Number.isNaN(when.getTime())) return "`at` must be a Date or an ISO 8601 date-time";
  // The server's window, by this clock.
  if (when && (when.getTime() > Date.now() + MAX_FUTURE_SKEW_MS || when.getTime() < Date.now() - MAX_AGE_MS)) {
    return "`at` must be within the last 30 days and not in the future";
  }
  return Object.assign(
    event,
    ttftMs == null ? {} : { ttftMs },
    rating == null ? {} : { rating },
    errorType == null ? {} : { errorType },
    inputTokens == null ? {} : { inputTokens },
    outputTokens == null ? {} : { outputTokens },
    costUsd == null ? {} : { costUsd },
    input == null ? {} : { input: input.slice(0, MAX_SAMPLE_CHARS) },
    output == null ? {} : { output: output.slice(0, MAX_SAMPLE_CHARS) },
    scores === null || Object.keys(scores).length === 0 ? {} : { scores },
    when ? { at: when.toISOString() } : {},
  );
}

/** Why the server would refuse this request id, or null. */
export function requestIdProblem(requestId: unknown): string | null {
  if (text(requestId, 1, MAX_REQUEST_ID_CHARS) && !hasControlChars(requestId)) return null;
  return `\`requestId\` must be 1-${MAX_REQUEST_ID_CHARS} characters without control characters`;
}

function text(value: unknown, min: number, max: number): value is string {
  return typeof value === "string" && value.length >= min && value.length <= max;
}

function number(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= min && value <= max;
}

function hasControlChars(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
