import type { StreamInfo } from "./batch-delivery";
import type { CanaryError, Requester, RetryPolicy } from "./transport";

// What a delivery queue (lib/sdk/delivery-queue.ts) sends and where, how it names and counts its
// events, and the counts it reports: one queue for outcomes, one for late scores (lib/sdk/queues.ts).

export interface DeliveryStats {
  /** Waiting for a batch. */
  buffered: number;
  /** Being sent or waiting for a retry. */
  inFlight: number;
  /** Acknowledged by the server, duplicates included. */
  delivered: number;
  /** Of the delivered, those the server already had (a resend). */
  duplicates: number;
  /**
   * Refused here and never sent: events `report()` refused itself (invalid by the server's own
   * checks, the buffer full, or the client closed), not only a full buffer. The server's refusals
   * are `failed`.
   */
  dropped: number;
  /** Given up after sending: refused by the server (the event, or its whole batch: 400, 401, 403…) or retries exhausted. */
  failed: number;
}

export interface ScoreDeliveryStats {
  /** Waiting for a batch. */
  buffered: number;
  /** Being sent or waiting for a retry. */
  inFlight: number;
  /** Waiting to be sent again because the server did not have their outcome yet (404). */
  waiting: number;
  /** Events acknowledged by the server. */
  delivered: number;
  /** Score values that replaced an earlier value of the same request and key (it is kept in the score's history). */
  replaced: number;
  /**
   * Refused here and never sent: scores `score()` refused itself (invalid by the server's own
   * checks, the buffer full, or the client closed). The server's refusals are `failed`.
   */
  dropped: number;
  /** Given up after sending: refused by the server, retries exhausted, or their outcome never stored. */
  failed: number;
}

/** What one queue sends, where, and how the answers and errors name its events. */
export interface EventStream<E> extends StreamInfo {
  /** The answer's count of what the server already had: `duplicates` (outcomes), `replaced` (scores). */
  tally: "duplicates" | "replaced";
  /** The error, carrying these events (CanaryError.events for outcomes, .scores for late scores). */
  carry(error: CanaryError, events: readonly E[]): CanaryError;
  /** Runs before a batch is sent (late scores wait for their outcomes' delivery). */
  beforeSend?(events: readonly E[]): Promise<void>;
}

export interface QueueOptions<E> {
  stream: EventStream<E>;
  transport: Requester;
  batchSize: number;
  maxBuffered: number;
  flushIntervalMs: number;
  timeoutMs: number;
  retry: RetryPolicy;
  /** The schedule of events sent again after a 404 (`stream.retriesNotFound`): attempts in all, pauses. */
  notFoundRetry: RetryPolicy;
  onError: (error: CanaryError) => void;
}
