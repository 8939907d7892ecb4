import { errorPayload, newRequestId } from "../http/respond";
import type { OutcomeRow } from "../metrics/attribution";
import type { OutcomeStore } from "../metrics/ingest-repo";
import { storeRows } from "../metrics/ingest-service";
import { DeliveryQueue } from "../sdk/delivery-queue";
import type { EventStream } from "../sdk/event-stream";
import { OUTCOMES } from "../sdk/queues";
import type { CanaryError, HttpAnswer } from "../sdk/transport";

// The gateway's outcomes, recorded without a database round trip in the request: each call adds
// its outcome to the SDK's own delivery queue (lib/sdk/delivery-queue.ts: a bounded buffer,
// batches, a timer, retries with backoff, a flush that waits for everything queued before it),
// whose "transport" here is the ingest service in this process. A call's outcome is attributed
// as the call ends, from what routing chose (lib/gateway/call-record.ts, with the row maker
// /api/metrics uses), so a batch is only stored — by the statement /api/metrics uses, where
// `store` says (the server stores them on its other thread). Checking and attributing batches
// here cost the thread serving calls a millisecond or two per batch, which held calls back.
// While the database is down a batch is retried until it comes back and the buffer fills up to
// its bound; what does not fit is counted and logged. stop() delivers what is left.

export interface RecorderOptions {
  /** Events waiting at most; beyond, new ones are dropped (counted, logged). */
  maxBuffered?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  /** Told which rollouts a stored batch added to (the controller judges them at once). */
  onIngested?: (rolloutIds: readonly string[]) => void;
  log?: (message: string) => void;
}

export interface RecorderStats {
  buffered: number;
  inFlight: number;
  delivered: number;
  /** Never stored: the buffer was full, or they were refused or given up at the shutdown deadline. */
  dropped: number;
}

/** A call's outcome as queued: its row, and its request id (the queue's key for it). */
export interface RecordedOutcome {
  requestId: string;
  row: OutcomeRow;
}

/**
 * The SDK's outcome stream's rules (lib/sdk/queues.ts) for the recorded rows. The SDK hands
 * refused events to its caller with the error; here the error is only logged, without them.
 */
const GATEWAY_OUTCOMES: EventStream<RecordedOutcome> = {
  path: OUTCOMES.path,
  noun: "gateway outcome(s)",
  maxPartialResends: OUTCOMES.maxPartialResends,
  retriesNotFound: OUTCOMES.retriesNotFound,
  tally: OUTCOMES.tally,
  carry: (error) => error,
};

/** A database that stays down keeps one batch retrying (at most every 5 s) while the buffer fills. */
const RETRY = { maxAttempts: Number.MAX_SAFE_INTEGER, baseDelayMs: 250, maxDelayMs: 5_000 };

export class OutcomeRecorder {
  private readonly queue: DeliveryQueue<RecordedOutcome>;

  constructor(store: OutcomeStore, options: RecorderOptions = {}) {
    const log = options.log ?? ((message: string) => console.info(`[llm-canary] ${message}`));
    const transport = {
      async request(_method: string, _path: string, init: { body?: unknown } = {}): Promise<HttpAnswer> {
        try {
          const { events } = init.body as { events: readonly RecordedOutcome[] };
          const { answer, rolloutIds } = await storeRows(store, events.map((event) => event.row), events.length);
          if (rolloutIds.length) options.onIngested?.(rolloutIds);
          return { status: 202, headers: new Headers(), body: answer };
        } catch (error) {
          const { status, body, headers } = errorPayload(error, newRequestId());
          return { status, headers: new Headers(headers), body };
        }
      },
    };
    this.queue = new DeliveryQueue<RecordedOutcome>({
      stream: GATEWAY_OUTCOMES,
      transport,
      // Smaller than the SDK's 500: a batch is copied to the thread that stores it on the gateway's
      // own event loop, and shorter bursts of that work hold calls in flight back less.
      batchSize: options.batchSize ?? 200,
      maxBuffered: options.maxBuffered ?? 50_000,
      flushIntervalMs: options.flushIntervalMs ?? 1_000,
      timeoutMs: 60_000,
      retry: RETRY,
      notFoundRetry: RETRY,
      onError: (error: CanaryError) => log(error.code === "buffer_full" ? `${error.message} The database may be down or slow.` : error.message),
    });
  }

  /** Queues the outcome; false when it was dropped (the buffer is full: counted and logged). */
  record(row: OutcomeRow): boolean {
    return this.queue.add({ requestId: row.request_id, row });
  }

  /** Resolves once everything recorded so far was stored (or given up). */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** Delivers what is left, giving up after `timeoutMs`; later records are refused. */
  stop(timeoutMs: number): Promise<void> {
    return this.queue.finish(timeoutMs, true);
  }

  stats(): RecorderStats {
    const { buffered, inFlight, delivered, dropped, failed } = this.queue.stats();
    return { buffered, inFlight, delivered, dropped: dropped + failed };
  }
}
