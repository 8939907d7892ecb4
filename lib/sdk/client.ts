import { MAX_BATCH_EVENTS } from "../limits";
import { sendFeedback, type FeedbackResult } from "./feedback";
import { LocalRouter, defaultAnswer, newRequestId, type DefaultSettings, type RouteAnswer, type RoutedAnswer } from "./local-routing";
import type { DeliveryStats, ScoreDeliveryStats } from "./event-stream";
import { normalizeScoreEvent } from "./late-score";
import { normalizeEvent, type OutcomeEvent } from "./outcome-event";
import { Queues } from "./queues";
import type { Scores } from "./scores";
import { llmFor } from "./render";
import { CanaryError, Transport, errorFrom, isRecord, type RetryPolicy } from "./transport";

// The LLM Canary client SDK: route users to a config's stable or canary version (remotely, or
// locally with the server's own router), report outcomes with their custom scores in batches, send
// late scores and late feedback.
// No dependencies and only web-standard globals, so it runs in Node ≥ 18 and in browsers.

export { CanaryError } from "./transport";
export type { ErrorDetail, RetryPolicy } from "./transport";
export type { OutcomeEvent, WireEvent } from "./outcome-event";
export type { FeedbackResult } from "./feedback";
export type { DeliveryStats, ScoreDeliveryStats } from "./event-stream";
export type { WireScoreEvent } from "./late-score";
export type { Scores } from "./scores";
export type { DefaultAnswer, DefaultSettings, LlmSettings, RouteAnswer, RoutedAnswer, RouteSource, TemplateMessage } from "./local-routing";

export interface CanaryClientOptions {
  /** Where LLM Canary runs, e.g. `https://canary.example.com`. */
  baseUrl: string;
  /**
   * An API key with the `route` scope (to route) and the `metrics` scope (to report and send
   * feedback). A key limited to some configs is refused (403, `forbidden`) for any other config.
   */
  apiKey: string;
  /** Replaces the global fetch: a proxy-aware one, or one for a runtime without fetch. */
  fetch?: typeof fetch;
  /** Per request. Default 5000 ms. */
  timeoutMs?: number;
  /** Outcomes per POST /api/metrics. Default 500, at most 1000. */
  batchSize?: number;
  /** How often buffered outcomes are sent when no batch filled up. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Outcomes held (buffered or being retried) before `report()` drops new ones, counted and passed to `onError`. Default 10,000. */
  maxBufferedEvents?: number;
  /**
   * Late scores (`score()`) whose outcome the server does not have yet (404) wait and are sent
   * again on this schedule, then given up (`onError`, code `not_found`). Default 8 attempts,
   * pauses from 1 s doubling up to 30 s, jittered: about a minute and a half in all.
   */
  lateScoreRetry?: Partial<RetryPolicy>;
  /** Retries of a batch or a `feedback()` after network errors, 408, 429 and 5xx. Default 8 attempts, pauses from 500 ms doubling up to 30 s, jittered, never shorter than Retry-After. */
  retry?: Partial<RetryPolicy>;
  /** How long `close()` and the exit flush keep trying before giving up on what is left, and how long `feedback()` waits for its outcome's delivery. Default 5000 ms. */
  closeTimeoutMs?: number;
  /** Flush on Node's `beforeExit` and the browser's `pagehide`. Default true. */
  flushOnExit?: boolean;
  /**
   * Route in-process with the server's own router from each config's routing state, refreshed
   * in the background (304 while unchanged). `configs` are fetched at once; any other config is
   * fetched on its first `route()`. `true` means `{}`. Default: every route() asks the server.
   */
  localEvaluation?: boolean | { configs?: readonly string[]; refreshMs?: number };
  /** Per config key: the LLM settings to answer with when the server was never reached (`source: "default"`). */
  defaults?: Readonly<Record<string, DefaultSettings>>;
  /** Hears every failure the SDK does not throw: outcomes dropped or given up (with the events), failed refreshes, fallbacks. Default: console.warn. */
  onError?: (error: CanaryError) => void;
}

export interface RouteOptions {
  /** Your id for this LLM request; default `req_<uuid>`. Report the outcome under the answer's `requestId`. */
  requestId?: string;
  /**
   * Values for the version's `{{variables}}`: the answer's `llm.rendered` holds the messages with
   * them filled in (by the server, or in-process with the server's code when routing locally or
   * falling back). A required variable without a value or default throws `invalid_request`.
   */
  variables?: Readonly<Record<string, string>>;
}

export interface CanaryClient {
  /**
   * Which version `userId` gets, shaped as the server's /api/route answer plus `source`. When
   * the server cannot be reached: the last routing state (local evaluation) or the last stable
   * answer for the config (`source: "stale"`), else `defaults[config]` (`source: "default"`),
   * else a CanaryError with code `unavailable`. Other failures (unknown config, bad key) throw.
   */
  route(config: string, userId: string, options?: RouteOptions): Promise<RouteAnswer>;
  /**
   * Queues an outcome; never throws. False when it was refused (invalid, buffer full, closed):
   * `onError` hears why. Spread the route answer into it, so its `rolloutId` goes along.
   */
  report(outcome: OutcomeEvent): boolean;
  /**
   * Queues custom scores known after the outcome was reported (an evaluation model's verdict, a
   * thumbs-down): `{ groundedness: 0.82, valid_json: true }`. Never throws; false when refused
   * (invalid, buffer full, closed), and `onError` hears why. Sent in batches to POST /api/scores
   * after the outcomes queued before them; a score sent again replaces the earlier one (the server
   * keeps it in the score's history). Retried like outcomes; while the server has not stored the
   * outcome yet (404) the scores wait and are sent again (`lateScoreRetry`). `config` is needed
   * only when the request id was reported for several configs.
   */
  score(requestId: string, scores: Scores, options?: { config?: string }): boolean;
  /**
   * A late 1..5 rating for a reported request. If that outcome is still queued, first waits for
   * its delivery (and that of the outcomes queued before it), at most `closeTimeoutMs`. Retried
   * like a batch on network errors, 429 and 5xx. Throws CanaryError: 404 when the outcome was
   * never reported or not delivered yet, 400 for a bad rating, the last failure once retries run out.
   */
  feedback(requestId: string, rating: number, comment?: string, options?: { config?: string }): Promise<FeedbackResult>;
  /** Resolves when every outcome and late score queued so far was delivered or given up (never rejects). */
  flush(): Promise<void>;
  /** Flushes (giving up after `closeTimeoutMs`) and stops timers and exit hooks. Later reports are refused. */
  close(): Promise<void>;
  /** Resolves when the first fetch of every `localEvaluation.configs` entry has ended. */
  ready(): Promise<void>;
  /** Outcomes (`report()`). `dropped` counts every event refused here (invalid, buffer full, closed), `failed` those given up after sending. */
  stats(): DeliveryStats;
  /** Late scores (`score()`). */
  scoreStats(): ScoreDeliveryStats;
}

export function createClient(options: CanaryClientOptions): CanaryClient {
  const settings = resolveOptions(options);
  const onError = options.onError ?? warn;
  const transport = new Transport(options.baseUrl, options.apiKey, settings.fetch, settings.timeoutMs);
  const queues = new Queues(transport, onError, settings);
  const queue = queues.outcomes;
  const local = options.localEvaluation ? new LocalRouter(transport, settings.refreshMs, onError) : null;
  if (local && typeof options.localEvaluation === "object") local.track(options.localEvaluation.configs ?? []);
  const detachHooks = options.flushOnExit === false ? () => undefined : attachExitHooks(queues, settings.closeTimeoutMs);
  // Remote routing's fallback: a user's variant is unknown without the server, and stable is the safe guess.
  const lastStable = new Map<string, RoutedAnswer>();
  let closing: Promise<void> | null = null;

  function fallback(config: string, error: CanaryError, requestId: string, variables: RouteOptions["variables"]): RouteAnswer {
    const stable = lastStable.get(config);
    const preset = options.defaults?.[config];
    // Local evaluation already reported the failed fetch.
    if ((stable || preset) && !local) notify(onError, error);
    if (stable) return { ...stable, requestId, llm: llmFor(stable.llm, variables), source: "stale" };
    if (preset) return defaultAnswer(config, preset, requestId, variables);
    const message = `Cannot route \`${config}\`: ${error.message} Nothing was received for it before, and \`defaults\` has no entry for it.`;
    throw new CanaryError("unavailable", message, { status: error.status, cause: error });
  }

  async function routeRemotely(config: string, userId: string, requestId: string, variables: RouteOptions["variables"]): Promise<RouteAnswer> {
    let answer;
    try {
      answer = await transport.request("POST", "/api/route", { body: { config, userId, requestId, ...(variables ? { variables } : {}) } });
    } catch (error) {
      const cause = error instanceof CanaryError ? error : new CanaryError("network_error", String(error), { cause: error });
      return fallback(config, cause, requestId, variables);
    }
    if (answer.status !== 200 || !isRecord(answer.body)) {
      const error = errorFrom(answer);
      if (error.unavailable) return fallback(config, error, requestId, variables);
      throw error;
    }
    const routed = { ...(answer.body as Omit<RoutedAnswer, "source">), source: "server" } as RoutedAnswer;
    if (routed.variant === "stable") lastStable.set(config, routed);
    return routed;
  }

  return {
    async route(config, userId, routeOptions = {}) {
      if (typeof userId !== "string" || userId.length < 1 || userId.length > 256) {
        throw new CanaryError("invalid_request", "The `userId` must be a string of 1-256 characters.", { details: [{ path: "userId", message: "must be 1-256 characters" }] });
      }
      const requestId = routeOptions.requestId ?? newRequestId();
      const variables = routeOptions.variables;
      if (!local) return routeRemotely(config, userId, requestId, variables);
      const result = await local.route(config, userId, requestId, variables);
      return "answer" in result ? result.answer : fallback(config, result.unavailable, requestId, variables);
    },
    report(outcome) {
      const event = normalizeEvent(outcome);
      return typeof event === "string" ? queue.refuse(new CanaryError("invalid_event", `Outcome not reported: ${event}.`)) : queue.add(event);
    },
    score(requestId, scores, scoreOptions = {}) {
      const event = normalizeScoreEvent(requestId, scores, scoreOptions.config);
      return typeof event === "string" ? queues.scores.refuse(new CanaryError("invalid_event", `Late score not sent: ${event}.`)) : queues.scores.add(event);
    },
    async feedback(requestId, rating, comment, feedbackOptions = {}) {
      // The server answers 404 until the outcome is stored.
      await queue.delivery(requestId, feedbackOptions.config, settings.closeTimeoutMs);
      const body = { requestId, rating, ...(comment === undefined ? {} : { comment }), ...(feedbackOptions.config ? { config: feedbackOptions.config } : {}) };
      return sendFeedback(transport, body, settings.retry);
    },
    flush: () => queues.flush(),
    close() {
      if (!closing) {
        detachHooks();
        local?.stop();
        closing = queues.finish(settings.closeTimeoutMs, true);
      }
      return closing;
    },
    ready: () => (local ? local.ready() : Promise.resolve()),
    stats: () => queue.stats(),
    scoreStats: () => queues.scores.scoreStats(),
  };
}

function resolveOptions(options: CanaryClientOptions) {
  if (!options.baseUrl) throw new TypeError("createClient: `baseUrl` is required.");
  if (!options.apiKey) throw new TypeError("createClient: `apiKey` is required.");
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_EVENTS) {
    throw new RangeError(`createClient: \`batchSize\` must be a whole number from 1 to ${MAX_BATCH_EVENTS}.`);
  }
  const positive = (name: string, value: number | undefined, fallback: number) => {
    const result = value ?? fallback;
    if (!(result > 0)) throw new RangeError(`createClient: \`${name}\` must be a positive number.`);
    return result;
  };
  if (!options.fetch && typeof globalThis.fetch !== "function") throw new TypeError("createClient: no global fetch here; pass `fetch`.");
  const local = typeof options.localEvaluation === "object" ? options.localEvaluation : {};
  return {
    // Looked up per call, so a fetch installed after createClient (a polyfill, a test's) is used.
    fetch: options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init)),
    batchSize,
    timeoutMs: positive("timeoutMs", options.timeoutMs, 5_000),
    flushIntervalMs: positive("flushIntervalMs", options.flushIntervalMs, 1_000),
    maxBuffered: positive("maxBufferedEvents", options.maxBufferedEvents, 10_000),
    closeTimeoutMs: positive("closeTimeoutMs", options.closeTimeoutMs, 5_000),
    refreshMs: positive("localEvaluation.refreshMs", local.refreshMs, 5_000),
    retry: {
      maxAttempts: positive("retry.maxAttempts", options.retry?.maxAttempts, 8),
      baseDelayMs: positive("retry.baseDelayMs", options.retry?.baseDelayMs, 500),
      maxDelayMs: positive("retry.maxDelayMs", options.retry?.maxDelayMs, 30_000),
    },
    lateScoreRetry: {
      maxAttempts: positive("lateScoreRetry.maxAttempts", options.lateScoreRetry?.maxAttempts, 8),
      baseDelayMs: positive("lateScoreRetry.baseDelayMs", options.lateScoreRetry?.baseDelayMs, 1_000),
      maxDelayMs: positive("lateScoreRetry.maxDelayMs", options.lateScoreRetry?.maxDelayMs, 30_000),
    },
  };
}

/** Flush when Node is about to exit (timers are unref'd, so the SDK never holds a process open) and when a page goes away. */
function attachExitHooks(queue: Queues, closeTimeoutMs: number): () => void {
  const detach: (() => void)[] = [];
  // beforeExit fires again once this flush's work is done, and finds nothing left to send.
  const onBeforeExit = () => void (queue.pendingCount() > 0 && queue.finish(closeTimeoutMs, false));
  if (typeof process !== "undefined" && typeof process.on === "function" && typeof process.off === "function") {
    const node = process;
    node.on("beforeExit", onBeforeExit);
    detach.push(() => node.off("beforeExit", onBeforeExit));
  }
  const onPageHide = () => queue.sendOnUnload();
  if (typeof window !== "undefined" && typeof window.addEventListener === "function") {
    const page = window;
    page.addEventListener("pagehide", onPageHide);
    detach.push(() => page.removeEventListener("pagehide", onPageHide));
  }
  return () => detach.forEach((undo) => undo());
}

function notify(onError: (error: CanaryError) => void, error: CanaryError): void {
  try {
    onError(error);
  } catch {
    // The callback's own failure must not turn a fallback answer into an error.
  }
}

function warn(error: CanaryError): void {
  if (typeof console !== "undefined") console.warn(`[llm-canary] ${error.code}: ${error.message}`);
}
