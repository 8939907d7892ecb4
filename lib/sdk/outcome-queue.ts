import { CanaryError, errorFrom, holdProcess, isRecord, retryDelayMs, type RetryPolicy, type Transport, type WireEvent } from "./transport";

// Outcome reporting. Events wait in a bounded FIFO buffer and leave in batches, one batch in
// flight at a time, so `flush()` can tell exactly when everything reported before it has been
// delivered or given up (events settle in order). Resending is always safe: the server stores
// each (config, requestId) once.

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
  /** Given up after sending: refused by the server (400, 401, 403…) or retries exhausted. */
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

  constructor(private readonly o: QueueOptions) {
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
    const upTo = this.lastSeq;
    if (this.lowestPending() > upTo) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ upTo, resolve }));
    // Someone is waiting now, so a retry pause may hold the process open.
    if (this.pause) holdProcess(this.pause.timer, true);
    this.drain();
    return done;
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
    const requeue = () => void this.buffer.unshift(...batch);
    this.o.transport
      .request("POST", "/api/metrics", { body: { events }, keepalive: true })
      .then((answer) => {
        if (answer.status >= 200 && answer.status < 300) return this.acknowledge(events.length, answer.body);
        const error = errorFrom(answer);
        if (error.unavailable) requeue();
        else this.giveUp(error, events);
      }, requeue)
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

  holds(requestId: string): boolean {
    const match = (p: Pending) => p.event.requestId === requestId;
    return this.buffer.some(match) || [...this.inFlight].some((batch) => batch.some(match));
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
        await this.deliver(batch.map((p) => p.event));
      } finally {
        this.inFlight.delete(batch);
        this.settle();
      }
    }
  }

  private async deliver(events: WireEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const left = this.deadline === null ? this.o.timeoutMs : this.deadline - Date.now();
      if (left <= 0) return this.giveUp(new CanaryError("gave_up", `${events.length} outcome(s) not delivered before the close or exit timeout.`), events);
      let error: CanaryError;
      try {
        const answer = await this.o.transport.request("POST", "/api/metrics", { body: { events }, timeoutMs: Math.min(left, this.o.timeoutMs) });
        if (answer.status >= 200 && answer.status < 300) return this.acknowledge(events.length, answer.body);
        // Huge samples can push a batch past the body limit; halves always fit eventually.
        if (answer.status === 413 && events.length > 1) {
          const half = Math.ceil(events.length / 2);
          await this.deliver(events.slice(0, half));
          return this.deliver(events.slice(half));
        }
        error = errorFrom(answer);
      } catch (caught) {
        error = caught instanceof CanaryError ? caught : new CanaryError("network_error", String(caught), { cause: caught });
      }
      // 400 can never succeed and 401/403 need a new key: retrying would only block later batches.
      if (!error.unavailable) return this.giveUp(error, events);
      if (attempt >= this.o.retry.maxAttempts) {
        const message = `${events.length} outcome(s) not delivered after ${attempt} attempts; the last one failed: ${error.message}`;
        return this.giveUp(new CanaryError("retries_exhausted", message, { status: error.status, cause: error }), events);
      }
      if (!(await this.wait(retryDelayMs(attempt, error.retryAfterMs, this.o.retry)))) {
        const message = `${events.length} outcome(s) not delivered before the close or exit timeout; the last attempt failed: ${error.message}`;
        return this.giveUp(new CanaryError("gave_up", message, { status: error.status, cause: error }), events);
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

  private giveUp(error: CanaryError, events: WireEvent[]): void {
    this.counts.failed += events.length;
    this.report(error.withEvents(events));
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
    for (const batch of this.inFlight) low = Math.min(low, batch[0].seq);
    return low;
  }

  private settle(): void {
    const low = this.lowestPending();
    const done = this.waiters.filter((w) => w.upTo < low);
    this.waiters = this.waiters.filter((w) => w.upTo >= low);
    for (const waiter of done) waiter.resolve();
  }
}
