import type { WireScoreEvent } from "./late-score";
import type { WireEvent } from "./outcome-event";

// The wire: fetch with the API key and a timeout, the server's error shape as CanaryError, and
// the retry schedule. Only web-standard globals (fetch, AbortController, setTimeout, crypto):
// the same code runs in Node ≥ 18 and browsers.

export interface ErrorDetail {
  path: string;
  message: string;
}

export type CanaryErrorInit = Partial<Pick<CanaryError, "status" | "details" | "requestId" | "retryAfterMs" | "events" | "scores">> & { cause?: unknown };

/**
 * Every failure the SDK throws or passes to `onError`. `code` is the server's error code
 * (`invalid_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
 * `database_unavailable`, …) or one of the SDK's own: `network_error`, `timeout`, `unavailable`,
 * `invalid_event`, `buffer_full`, `client_closed`, `retries_exhausted`, `gave_up`.
 */
export class CanaryError extends Error {
  readonly code: string;
  /** The HTTP status, or null when no answer came (network error, timeout) or none applies. */
  readonly status: number | null;
  /**
   * Per-field problems, e.g. `{ path: "rating", message: "must be from 1 to 5" }`. When
   * the server refused some events of a batch, `events.N.…` names this error's `events[N]`.
   */
  readonly details: readonly ErrorDetail[];
  /** The server's id for the failed request, to quote when asking for help. */
  readonly requestId: string | null;
  readonly retryAfterMs: number | null;
  /** The outcome events this error made the SDK give up on (empty when none were). */
  readonly events: readonly WireEvent[];
  /** The late scores (`score()`) this error made the SDK give up on (empty when none were). */
  readonly scores: readonly WireScoreEvent[];

  constructor(code: string, message: string, init: CanaryErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "CanaryError";
    this.code = code;
    this.status = init.status ?? null;
    this.details = init.details ?? [];
    this.requestId = init.requestId ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.events = init.events ?? [];
    this.scores = init.scores ?? [];
  }

  /** True when the server was unreachable or asked to come back later: worth a retry or a fallback. */
  get unavailable(): boolean {
    if (this.status === null) return this.code === "network_error" || this.code === "timeout" || this.code === "unavailable";
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }

  /** A copy carrying the events it made the SDK give up on. */
  withEvents(events: readonly WireEvent[]): CanaryError {
    const { status, details, requestId, retryAfterMs, scores } = this;
    return new CanaryError(this.code, this.message, { status, details, requestId, retryAfterMs, events, scores, cause: this.cause });
  }

  /** A copy carrying the late scores it made the SDK give up on. */
  withScores(scores: readonly WireScoreEvent[]): CanaryError {
    const { status, details, requestId, retryAfterMs, events } = this;
    return new CanaryError(this.code, this.message, { status, details, requestId, retryAfterMs, events, scores, cause: this.cause });
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface CallInit {
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Lets the request outlive the page (browsers cap such bodies at 64 KiB in total). */
  keepalive?: boolean;
}

/** What sends a request: the HTTP transport below, or (in the gateway) the ingest service in the same process. */
export type Requester = Pick<Transport, "request">;

export class Transport {
  private readonly baseUrl: string;
  private readonly authorization: string;

  constructor(
    baseUrl: string,
    apiKey: string,
    private readonly fetchImpl: typeof fetch,
    private readonly timeoutMs: number,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    // Accept the key as copied from an Authorization header too.
    this.authorization = `Bearer ${apiKey.replace(/^Bearer\s+/i, "")}`;
  }

  /** Any HTTP status is an answer; only a failure to get one throws (`network_error`, `timeout`). */
  async request(method: "GET" | "POST", path: string, init: CallInit = {}): Promise<HttpAnswer> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), init.timeoutMs ?? this.timeoutMs);
    holdProcess(timer, false);
    const headers: Record<string, string> = { authorization: this.authorization, accept: "application/json", ...init.headers };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    try {
      // Called unbound: a browser's fetch throws "Illegal invocation" when `this` is not the window.
      const fetchImpl = this.fetchImpl;
      const response = await fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: controller.signal,
        keepalive: init.keepalive,
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: parseJson(text) };
    } catch (error) {
      if (controller.signal.aborted) {
        throw new CanaryError("timeout", `${method} ${path} got no answer within ${init.timeoutMs ?? this.timeoutMs} ms.`, { cause: error });
      }
      throw new CanaryError("network_error", `${method} ${path} failed: ${(error as Error).message ?? String(error)}.`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // a proxy's HTML error page, say: kept for the message
  }
}

/** The server's `{ error: { code, message, details, requestId } }` as a CanaryError. */
export function errorFrom(answer: HttpAnswer): CanaryError {
  const error = isRecord(answer.body) && isRecord(answer.body.error) ? answer.body.error : {};
  const code = typeof error.code === "string" ? error.code : `http_${answer.status}`;
  const message = typeof error.message === "string" ? error.message : `The server answered ${answer.status}.`;
  const details = Array.isArray(error.details) ? error.details.filter(isDetail) : [];
  const requestId = typeof error.requestId === "string" ? error.requestId : answer.headers.get("x-request-id");
  return new CanaryError(code, message, { status: answer.status, details, requestId, retryAfterMs: parseRetryAfter(answer.headers.get("retry-after")) });
}

/** The server asking for a pause longer than this is still retried after it: events must not wait for hours. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** `Retry-After` as delay-seconds or an HTTP date, in milliseconds; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  return Number.isNaN(ms) ? null : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

export interface RetryPolicy {
  /** Attempts per batch, the first included. */
  maxAttempts: number;
  /** The ceiling of the first pause; it doubles after each failed attempt. */
  baseDelayMs: number;
  /** The ceiling never grows past this. */
  maxDelayMs: number;
}

/**
 * The pause after `attempt` failed attempts: exponential with "equal jitter" (between half and
 * all of the ceiling), so clients that failed together do not come back together, yet every
 * pause grows. The server's Retry-After is a floor, never shortened.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | null, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  return Math.max(retryAfterMs ?? 0, jittered);
}

/** Whether a Node timer keeps the process alive (ref) or not (unref); browser timers are numbers, without either. */
export function holdProcess(timer: unknown, hold: boolean): void {
  const method = hold ? "ref" : "unref";
  if (typeof timer === "object" && timer !== null && method in timer) (timer as Record<typeof method, () => void>)[method]();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isDetail(value: unknown): value is ErrorDetail {
  return isRecord(value) && typeof value.path === "string" && typeof value.message === "string";
}
