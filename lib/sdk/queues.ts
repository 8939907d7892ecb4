import { DeliveryQueue } from "./delivery-queue";
import type { EventStream, QueueOptions } from "./event-stream";
import type { WireScoreEvent } from "./late-score";
import type { WireEvent } from "./outcome-event";
import type { CanaryError, RetryPolicy, Transport } from "./transport";

// A client's two delivery queues: outcomes to POST /api/metrics, late scores to POST /api/scores.
// A late-score batch first waits for the outcomes queued before it that it scores (the server
// answers 404 until an outcome is stored), and what still gets a 404 waits and is sent again.

/** Outcomes to POST /api/metrics (the gateway queues its own outcomes with the same rules). */
export const OUTCOMES: EventStream<WireEvent> = {
  path: "/api/metrics",
  noun: "outcome(s)",
  maxPartialResends: 2,
  retriesNotFound: false,
  tally: "duplicates",
  carry: (error, events) => (error.events === events ? error : error.withEvents(events)),
};

const LATE_SCORES: Omit<EventStream<WireScoreEvent>, "beforeSend"> = {
  path: "/api/scores",
  noun: "late score(s)",
  maxPartialResends: 4,
  retriesNotFound: true,
  tally: "replaced",
  carry: (error, scores) => (error.scores === scores ? error : error.withScores(scores)),
};

// Browsers allow 64 KiB of keepalive bodies in flight per page; leave room for headers.
const KEEPALIVE_MAX_BYTES = 60_000;

type Settings = Omit<QueueOptions<never>, "stream" | "transport" | "onError" | "notFoundRetry"> & { closeTimeoutMs: number; lateScoreRetry: RetryPolicy };

export class Queues {
  readonly outcomes: DeliveryQueue<WireEvent>;
  readonly scores: DeliveryQueue<WireScoreEvent>;

  constructor(transport: Transport, onError: (error: CanaryError) => void, settings: Settings) {
    const common = { ...settings, transport, onError, notFoundRetry: settings.lateScoreRetry };
    this.outcomes = new DeliveryQueue({ ...common, stream: OUTCOMES });
    const outcomes = this.outcomes;
    const beforeSend = (events: readonly WireScoreEvent[]) => {
      const scored = new Set(events.map((e) => e.requestId));
      return outcomes.deliveryOf((outcome) => scored.has(outcome.requestId), settings.closeTimeoutMs);
    };
    this.scores = new DeliveryQueue({ ...common, stream: { ...LATE_SCORES, beforeSend } });
  }

  pendingCount(): number {
    return this.outcomes.pendingCount() + this.scores.pendingCount();
  }

  async flush(): Promise<void> {
    await Promise.all([this.outcomes.flush(), this.scores.flush()]);
  }

  async finish(timeoutMs: number, close: boolean): Promise<void> {
    await Promise.all([this.outcomes.finish(timeoutMs, close), this.scores.finish(timeoutMs, close)]);
  }

  /** For `pagehide`: outcomes first, then late scores in what is left of the keepalive budget. */
  sendOnUnload(): void {
    const used = this.outcomes.sendOnUnload(KEEPALIVE_MAX_BYTES);
    this.scores.sendOnUnload(KEEPALIVE_MAX_BYTES - used);
  }
}
