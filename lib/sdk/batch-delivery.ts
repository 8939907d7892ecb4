import { CanaryError, errorFrom, retryDelayMs, type ErrorDetail, type Requester, type RetryPolicy } from "./transport";

// One batch's POST (of outcomes to /api/metrics, or of late scores to /api/scores) and what its
// answer means: retried while the server cannot be reached (or asks to come back later), sent in
// halves when it is too large for the body limit, and — since the server refuses a whole batch
// (nothing stored) for a single bad event, listing every problem as `events.<index>.<field>` —
// sent again without the events it named. A late-score batch answered 404 for events whose
// outcome is not stored yet hands those back to its queue to try later, and sends the rest.

/** What a stream of events is sent to and called in messages. */
export interface StreamInfo {
  path: "/api/metrics" | "/api/scores";
  /** "outcome(s)", "late score(s)". */
  noun: string;
  /**
   * Resends of a batch's remainder after refusals. The server checks one kind of problem after
   * another (fields, the key's configs, then what only it knows) and answers with the first kind
   * found: outcomes need 2, late scores (more kinds, each listed per event) 4.
   */
  maxPartialResends: number;
  /** Whether a 404 naming events means "not stored yet" (late scores: their outcome). */
  retriesNotFound: boolean;
}

const EVENT_PATH = /^events\.(\d+)(?=\.|$)/;

/** What a batch's delivery needs from its queue. */
export interface BatchSender<E> {
  stream: StreamInfo;
  transport: Requester;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Set by close() and the exit flush: a retry that would end after it gives up instead. */
  deadline(): number | null;
  /** Pauses before a retry; false when the deadline comes first. */
  wait(ms: number): Promise<boolean>;
  acknowledge(count: number, body: unknown): void;
  /** Counts the events as failed, reports the error with them, and settles them. */
  giveUp(error: CanaryError, events: readonly E[]): void;
  /** Events the server does not know the outcome of yet (404): the queue sends them again later. */
  later(events: readonly E[], error: CanaryError): void;
}

/** Resolves once every event of `batch` was delivered, given up (and reported) or handed back for later. */
export async function deliverBatch<E>(sender: BatchSender<E>, batch: E[]): Promise<void> {
  const { path, noun } = sender.stream;
  let events = batch;
  let resends = 0;
  for (let attempt = 1; ; attempt++) {
    const deadline = sender.deadline();
    const left = deadline === null ? sender.timeoutMs : deadline - Date.now();
    if (left <= 0) return sender.giveUp(new CanaryError("gave_up", `${events.length} ${noun} not delivered before the close or exit timeout.`), events);
    let error: CanaryError;
    try {
      const answer = await sender.transport.request("POST", path, { body: { events }, timeoutMs: Math.min(left, sender.timeoutMs) });
      if (answer.status >= 200 && answer.status < 300) return sender.acknowledge(events.length, answer.body);
      // Large samples can push a batch past the body limit; halves always fit eventually.
      if (answer.status === 413 && events.length > 1) {
        const half = Math.ceil(events.length / 2);
        await deliverBatch(sender, events.slice(0, half));
        return deliverBatch(sender, events.slice(half));
      }
      error = errorFrom(answer);
      // Some events refused (or not stored yet): set those aside, send the rest again at once (a new request, so new attempts).
      const split = resends < sender.stream.maxPartialResends ? splitRefusal(error, events, noun, sender.stream.retriesNotFound) : null;
      if (split) {
        if (split.notYet) sender.later(split.refused, split.error);
        else sender.giveUp(split.error, split.refused);
        if (split.rest.length === 0) return;
        [events, attempt] = [split.rest, 0];
        resends++;
        continue;
      }
    } catch (caught) {
      error = caught instanceof CanaryError ? caught : new CanaryError("network_error", String(caught), { cause: caught });
    }
    // Any other 400 can never succeed and 401/403 need a new key: retrying would only block later batches.
    if (!error.unavailable) return sender.giveUp(error, events);
    if (attempt >= sender.retry.maxAttempts) {
      const message = `${events.length} ${noun} not delivered after ${attempt} attempts; the last one failed: ${error.message}`;
      return sender.giveUp(new CanaryError("retries_exhausted", message, { status: error.status, cause: error }), events);
    }
    if (!(await sender.wait(retryDelayMs(attempt, error.retryAfterMs, sender.retry)))) {
      const message = `${events.length} ${noun} not delivered before the close or exit timeout; the last attempt failed: ${error.message}`;
      return sender.giveUp(new CanaryError("gave_up", message, { status: error.status, cause: error }), events);
    }
  }
}

export interface Refusal<E> {
  /** What to report: each detail's path indexing `refused` (`events.0.versionId` is `refused[0]`'s). */
  error: CanaryError;
  /** The events the details named, in order. */
  refused: E[];
  /** The batch without them, in order: to be sent again. */
  rest: E[];
  /** A 404 of late scores: the refused are not stored yet, rather than refused for good. */
  notYet: boolean;
}

/**
 * For a 400 (a bad event), 403 (an event of a config outside the key's list), 409 (a late score
 * whose request id needs a config) — or, when `notFoundIsLater`, a 404 (a late score whose outcome
 * is not stored yet) — whose every detail names an event of `events`: those events and the rest;
 * null when the answer is not about single events.
 */
export function splitRefusal<E>(error: CanaryError, events: readonly E[], noun = "outcome(s)", notFoundIsLater = false): Refusal<E> | null {
  const notYet = notFoundIsLater && error.status === 404;
  if (!(notYet || error.status === 400 || error.status === 403 || error.status === 409) || error.details.length === 0) return null;
  const byIndex = new Map<number, ErrorDetail[]>();
  for (const detail of error.details) {
    const match = EVENT_PATH.exec(detail.path);
    const index = match ? Number(match[1]) : -1;
    if (!(index >= 0 && index < events.length)) return null;
    byIndex.set(index, [...(byIndex.get(index) ?? []), detail]);
  }
  const indexes = [...byIndex.keys()].sort((a, b) => a - b);
  const refused = indexes.map((i) => events[i]);
  const details = indexes.flatMap((i, k) => byIndex.get(i)!.map((d) => ({ path: d.path.replace(EVENT_PATH, `events.${k}`), message: d.message })));
  const rest = events.filter((_, i) => !byIndex.has(i));
  const [first] = details;
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? "s" : ""})` : "";
  const what = notYet ? "not stored yet on the server, kept to be sent again later" : "refused by the server and dropped";
  const message =
    `${refused.length} ${noun} ${what}: \`${first.path}\` ${first.message}${more}.` + (rest.length > 0 ? ` The other ${rest.length} of the batch are sent again.` : "");
  const { code, status, requestId } = error;
  return { error: new CanaryError(code, message, { status, details, requestId, cause: error }), refused, rest, notYet };
}
