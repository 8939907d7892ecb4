import { deliverBatch, splitRefusal, type BatchSender } from "./batch-delivery";
import type { WireEvent } from "./outcome-event";
import { CanaryError, errorFrom, holdProcess, isRecord, type RetryPolicy, type Transport } from "./transport";

// Outcome reporting. Events wait in a bounded FIFO buffer and leave in batches, one batch in
// flight at a time, so `flush()` can tell exactly when everything reported before it has been
// delivered or given up (events settle in order). Resending is always safe: the server stores
// each (config, requestId) once. A batch the server refuses for some of its events loses only
// those; one too large for its body limit is sent in halves.

export interface DeliveryStats {
  /** Waiting for a batch. */
  buffered: number;
  /** Being sent or waiting for a retry. */
  inFlight: number;
  /** Acknowledged by the server, duplicates included. */
  delivered: number;
  /** Of the delivered, those the server already had (a resend). */
  duplicates: number;
  /** Refused by `report()`: buffer full, invalid, or the client closed. */
  dropped: number;
  /** Given up after sending: refused by the server (the event, or its whole batch: 400, 401, 403…) or retries exhausted. */
  failed: number;
}

export interface QueueOptions {
  transport: Transport;
  batchSize: number;
  maxBuffered: number;
  flushIntervalMs: number;
  timeoutMs: number;
  retry: RetryPolicy;
  onError: (error: CanaryError) => void;
}

// Browsers allow 64 KiB of keepalive bodies in flight per page; leave room for headers.
const KEEPALIVE_MAX_BYTES = 60_000;

interface Pending {
  seq: number;
  event: WireEvent;
}

export class OutcomeQueue {
  private buffer: Pending[] = [];
  private readonly inFlight = new Set<Pending[]>();
  private lastSeq = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];
  private draining = false;
  private pause: { timer: ReturnType<typeof setTimeout>; until: number; resolve: (waited: boolean) => void } | null = null;
  // Set by close() and the exit flush: a retry that would end after it gives up instead.
  private deadline: number | null = null;
  private closed = false;
  private full: WireEvent[] = [];
  private readonly counts = { delivered: 0, duplicates: 0, dropped: 0, failed: 0 };
  private readonly interval: ReturnType<typeof setInterval>;

  private readonly sender: BatchSender;

  constructor(private readonly o: QueueOptions) {
    this.sender = {
      ...o,
      deadline: () => this.deadline,
      wait: (ms) => this.wait(ms),
      acknowledge: (count, body) => this.acknowledge(count, body),
      giveUp: (error, events) => this.giveUp(error, events),
    };
    this.interval = setInterval(() => this.buffer.length > 0 && this.drain(), o.flushIntervalMs);
    holdProcess(this.interval, false);
  }

  /** False when the event was refused (buffer full, client closed); `onError` hears why. */
  add(event: WireEvent): boolean {
    if (this.closed) return this.refuse(new CanaryError("client_closed", "Outcome not reported: the client was closed.", { events: [event] }));
    if (this.pendingCount() >= this.o.maxBuffered) {
      this.counts.dropped++;
      this.noteFull(event);
      return false;
    }
    this.buffer.push({ seq: ++this.lastSeq, event });
    if (this.buffer.length >= this.o.batchSize || this.deadline !== null) this.drain();
    return true;
  }

  /** Counts an event refused before it reached the queue, and reports why. */
  refuse(error: CanaryError): false {
    this.counts.dropped++;
    this.report(error);
    return false;
  }

  /** Resolves once every event added so far was delivered or given up (and reported). */
  flush(): Promise<void> {
    return this.settled(this.lastSeq, null);
  }

  /**
   * Resolves once the queued outcomes of `requestId` (of `config`, if given), and everything
   * queued before them, were delivered or given up — or after `timeoutMs`, whichever comes first.
   */
  delivery(requestId: string, config: string | undefined, timeoutMs: number): Promise<void> {
    let upTo = 0;
    const note = (p: Pending) => {
      if (p.event.requestId === requestId && (config === undefined || p.event.config === config)) upTo = Math.max(upTo, p.seq);
    };
    this.buffer.forEach(note);
    this.inFlight.forEach((batch) => batch.forEach(note));
    return upTo === 0 ? Promise.resolve() : this.settled(upTo, timeoutMs);
  }

  /** A flush that gives up on what is left after `timeoutMs`: for close() (which also stops the timer) and process exit. */
  async finish(timeoutMs: number, close: boolean): Promise<void> {
    if (close) {
      this.closed = true;
      clearInterval(this.interval);
    }
    const deadline = Date.now() + timeoutMs;
    this.deadline = this.deadline === null ? deadline : Math.min(this.deadline, deadline);
    if (this.pause && this.pause.until > this.deadline) {
      clearTimeout(this.pause.timer);
      this.pause.resolve(false);
      this.pause = null;
    }
    try {
      await this.flush();
    } finally {
      if (!this.closed) this.deadline = null;
    }
  }

  /** For `pagehide`: one keepalive request with as much of the buffer as browsers let outlive the page. */
  sendOnUnload(): void {
    let bytes = 16;
    let count = 0;
    while (count < this.buffer.length && count < this.o.batchSize) {
      const size = new TextEncoder().encode(JSON.stringify(this.buffer[count].event)).length + 1;
      if (bytes + size > KEEPALIVE_MAX_BYTES) break;
      bytes += size;
      count++;
    }
    if (count === 0) return;
    const batch = this.buffer.splice(0, count);
    const events = batch.map((p) => p.event);
    this.inFlight.add(batch);
    // If the page survives (back/forward cache), unsent events go back to the front: resending is safe.
    const requeue = (keep: readonly WireEvent[] = events) => void this.buffer.unshift(...batch.filter((p) => keep.includes(p.event)));
    this.o.transport
      .request("POST", "/api/metrics", { body: { events }, keepalive: true })
      .then((answer) => {
        if (answer.status >= 200 && answer.status < 300) return this.acknowledge(events.length, answer.body);
        const error = errorFrom(answer);
        const refusal = splitRefusal(error, events);
        if (error.unavailable) requeue();
        else if (!refusal) this.giveUp(error, events);
        else {
          this.giveUp(refusal.error, refusal.error.events);
          requeue(refusal.rest);
        }
      }, () => requeue())
      .finally(() => {
        this.inFlight.delete(batch);
        this.settle();
      });
  }

  pendingCount(): number {
    let count = this.buffer.length;
    for (const batch of this.inFlight) count += batch.length;
    return count;
  }

  stats(): DeliveryStats {
    return { buffered: this.buffer.length, inFlight: this.pendingCount() - this.buffer.length, ...this.counts };
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    void this.drainLoop().finally(() => {
      this.draining = false;
      // Events added while the loop was ending must not wait for the next tick if someone waits for them.
      if (this.buffer.length > 0 && (this.waiters.length > 0 || this.deadline !== null || this.buffer.length >= this.o.batchSize)) this.drain();
    });
  }

  private async drainLoop(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.o.batchSize);
      this.inFlight.add(batch);
      try {
        await deliverBatch(this.sender, batch.map((p) => p.event));
      } finally {
        this.inFlight.delete(batch);
        this.settle();
      }
    }
  }

  /** False when the deadline comes first. Background retries never keep a Node process alive; flush(), close() and exit do. */
  private wait(ms: number): Promise<boolean> {
    if (this.deadline !== null && Date.now() + ms > this.deadline) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pause = null;
        resolve(true);
      }, ms);
      if (this.deadline === null && this.waiters.length === 0) holdProcess(timer, false);
      this.pause = { timer, until: Date.now() + ms, resolve };
    });
  }

  private acknowledge(count: number, body: unknown): void {
    this.counts.delivered += count;
    if (isRecord(body) && typeof body.duplicates === "number") this.counts.duplicates += body.duplicates;
  }

  private giveUp(error: CanaryError, events: readonly WireEvent[]): void {
    this.counts.failed += events.length;
    // They are settled now: no longer in flight, even while the rest of their batch is.
    const settled = new Set(events);
    for (const batch of this.inFlight) {
      for (let i = batch.length - 1; i >= 0; i--) if (settled.has(batch[i].event)) batch.splice(i, 1);
    }
    this.report(error.events === events ? error : error.withEvents(events));
    this.settle();
  }

  private noteFull(event: WireEvent): void {
    this.full.push(event);
    if (this.full.length > 1) return;
    // One report per burst, not one per event: a full buffer usually means thousands at once.
    queueMicrotask(() => {
      const events = this.full;
      this.full = [];
      const message = `${events.length} outcome(s) dropped: ${this.o.maxBuffered} events were already waiting for delivery.`;
      this.report(new CanaryError("buffer_full", message, { events }));
    });
  }

  private report(error: CanaryError): void {
    try {
      this.o.onError(error);
    } catch {
      // The callback's own failure must not stop delivery.
    }
  }

  private lowestPending(): number {
    let low = this.buffer.length > 0 ? this.buffer[0].seq : Infinity;
    for (const batch of this.inFlight) if (batch.length > 0) low = Math.min(low, batch[0].seq);
    return low;
  }

  /** Resolves once every event up to `upTo` is settled, or after `timeoutMs` (null: no bound). */
  private settled(upTo: number, timeoutMs: number | null): Promise<void> {
    if (this.lowestPending() > upTo) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = { upTo, resolve: () => void (clearTimeout(timer), resolve()) };
      if (timeoutMs !== null) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        }, timeoutMs);
      }
      this.waiters.push(waiter);
      // Someone is waiting now, so a retry pause may hold the process open.
      if (this.pause) holdProcess(this.pause.timer, true);
      this.drain();
    });
  }

  private settle(): void {
    const low = this.lowestPending();
    const done = this.waiters.filter((w) => w.upTo < low);
    this.waiters = this.waiters.filter((w) => w.upTo >= low);
    for (const waiter of done) waiter.resolve();
  }
}
