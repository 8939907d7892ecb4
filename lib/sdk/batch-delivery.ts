import type { WireEvent } from "./outcome-event";
import { CanaryError, errorFrom, retryDelayMs, type ErrorDetail, type RetryPolicy, type Transport } from "./transport";

// One batch's POST /api/metrics and what its answer means: retried while the server cannot be
// reached (or asks to come back later), sent in halves when it is too large for the body limit,
// and — since the server refuses a whole batch (400, nothing stored) for a single bad event,
// listing every problem as `events.<index>.<field>` — sent again without the events it named.

/** Resends of a batch's remainder after refusals: the server checks fields, then versions and rollouts, so two cover it. */
export const MAX_PARTIAL_RESENDS = 2;

const EVENT_PATH = /^events\.(\d+)(?=\.|$)/;

/** What a batch's delivery needs from its queue. */
export interface BatchSender {
  transport: Transport;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Set by close() and the exit flush: a retry that would end after it gives up instead. */
  deadline(): number | null;
  /** Pauses before a retry; false when the deadline comes first. */
  wait(ms: number): Promise<boolean>;
  acknowledge(count: number, body: unknown): void;
  /** Counts the events as failed, reports the error with them, and settles them. */
  giveUp(error: CanaryError, events: readonly WireEvent[]): void;
}

/** Resolves once every event of `batch` was delivered or given up (and reported). */
export async function deliverBatch(sender: BatchSender, batch: WireEvent[]): Promise<void> {
  let events = batch;
  let resends = 0;
  for (let attempt = 1; ; attempt++) {
    const deadline = sender.deadline();
    const left = deadline === null ? sender.timeoutMs : deadline - Date.now();
    if (left <= 0) return sender.giveUp(new CanaryError("gave_up", `${events.length} outcome(s) not delivered before the close or exit timeout.`), events);
    let error: CanaryError;
    try {
      const answer = await sender.transport.request("POST", "/api/metrics", { body: { events }, timeoutMs: Math.min(left, sender.timeoutMs) });
      if (answer.status >= 200 && answer.status < 300) return sender.acknowledge(events.length, answer.body);
      // Large samples can push a batch past the body limit; halves always fit eventually.
      if (answer.status === 413 && events.length > 1) {
        const half = Math.ceil(events.length / 2);
        await deliverBatch(sender, events.slice(0, half));
        return deliverBatch(sender, events.slice(half));
      }
      error = errorFrom(answer);
      // Some events refused: drop those, send the rest again at once (a new request, so new attempts).
      const refusal = resends < MAX_PARTIAL_RESENDS ? splitRefusal(error, events) : null;
      if (refusal) {
        sender.giveUp(refusal.error, refusal.error.events);
        if (refusal.rest.length === 0) return;
        [events, attempt] = [refusal.rest, 0];
        resends++;
        continue;
      }
    } catch (caught) {
      error = caught instanceof CanaryError ? caught : new CanaryError("network_error", String(caught), { cause: caught });
    }
    // Any other 400 can never succeed and 401/403 need a new key: retrying would only block later batches.
    if (!error.unavailable) return sender.giveUp(error, events);
    if (attempt >= sender.retry.maxAttempts) {
      const message = `${events.length} outcome(s) not delivered after ${attempt} attempts; the last one failed: ${error.message}`;
      return sender.giveUp(new CanaryError("retries_exhausted", message, { status: error.status, cause: error }), events);
    }
    if (!(await sender.wait(retryDelayMs(attempt, error.retryAfterMs, sender.retry)))) {
      const message = `${events.length} outcome(s) not delivered before the close or exit timeout; the last attempt failed: ${error.message}`;
      return sender.giveUp(new CanaryError("gave_up", message, { status: error.status, cause: error }), events);
    }
  }
}

export interface Refusal {
  /** What to report: the refused events, each detail's path indexing them (`events.0.versionId` is `events[0]`'s). */
  error: CanaryError;
  /** The batch without them, in order: to be sent again. */
  rest: WireEvent[];
}

/**
 * For a 400 (a bad event) or 403 (an event of a config outside the key's list) whose every detail
 * names an event of `events`, the refused ones and the rest; null when the refusal is not per event.
 */
export function splitRefusal(error: CanaryError, events: readonly WireEvent[]): Refusal | null {
  if ((error.status !== 400 && error.status !== 403) || error.details.length === 0) return null;
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
  const message =
    `${refused.length} outcome(s) refused by the server and dropped: \`${first.path}\` ${first.message}${more}.` +
    (rest.length > 0 ? ` The other ${rest.length} of the batch are sent again.` : "");
  const { code, status, requestId } = error;
  return { error: new CanaryError(code, message, { status, details, requestId, events: refused, cause: error }), rest };
}
