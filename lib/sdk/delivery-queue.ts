import { deliverBatch, splitRefusal, type BatchSender } from "./batch-delivery";
import type { DeliveryStats, QueueOptions, ScoreDeliveryStats } from "./event-stream";
import { CanaryError, errorFrom, holdProcess, isRecord, retryDelayMs } from "./transport";

/** One encoder for every size check (they run per event). */
const ENCODER = new TextEncoder();

// Event delivery, for outcomes (POST /api/metrics) and late scores (POST /api/scores). Events
// wait in a bounded FIFO buffer and leave in batches, one batch in flight at a time, so `flush()`
// can tell exactly when everything queued before it has been delivered or given up (events settle
// in order). Resending is always safe: the server stores each outcome once, and a late score sent
// again replaces itself. A batch the server refuses for some of its events loses only those; one
// too large for its body limit is sent in halves. Late scores whose outcome is not stored yet
// (404) wait and are sent again on their own schedule, a bounded number of times.

interface Pending<E> {
  seq: number;
  event: E;
  /** Answers of 404 so far (late scores whose outcome was not stored yet). */
  notFound: number;
}

export class DeliveryQueue<E extends { requestId: string; config?: string }> {
  private buffer: Pending<E>[] = [];
  private readonly inFlight = new Set<Pending<E>[]>();
  /** Events waiting to be sent again after a 404, with their timers. */
  private readonly held = new Map<Pending<E>[], { timer: ReturnType<typeof setTimeout>; until: number }>();
  private lastSeq = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];
  private draining = false;
  private pause: { timer: ReturnType<typeof setTimeout>; until: number; resolve: (waited: boolean) => void } | null = null;
  // Set by close() and the exit flush: a retry that would end after it gives up instead.
  private deadline: number | null = null;
  private closed = false;
  private full: E[] = [];
  private readonly counts = { delivered: 0, tally: 0, dropped: 0, failed: 0 };
  private readonly interval: ReturnType<typeof setInterval>;

  private readonly sender: BatchSender<E>;

  constructor(private readonly o: QueueOptions<E>) {
    this.sender = {
      ...o,
      deadline: () => this.deadline,
      wait: (ms) => this.wait(ms),
      acknowledge: (count, body) => this.acknowledge(count, body),
      giveUp: (error, events) => this.giveUp(error, events),
      later: (events, error) => this.later(events, error),
    };
    this.interval = setInterval(() => this.buffer.length > 0 && this.drain(), o.flushIntervalMs);
    holdProcess(this.interval, false);
  }

  private get noun(): string {
    return this.o.stream.noun;
  }

  /** False when the event was refused (buffer full, client closed); `onError` hears why. */
  add(event: E): boolean {
    if (this.closed) return this.refuse(this.o.stream.carry(new CanaryError("client_closed", `${this.noun} not sent: the client was closed.`), [event]));
    if (this.pendingCount() >= this.o.maxBuffered) {
      this.counts.dropped++;
      this.noteFull(event);
      return false;
    }
    this.buffer.push({ seq: ++this.lastSeq, event, notFound: 0 });
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
   * Resolves once the queued events of `requestId` (of `config`, if given), and everything
   * queued before them, were delivered or given up — or after `timeoutMs`, whichever comes first.
   */
  delivery(requestId: string, config: string | undefined, timeoutMs: number): Promise<void> {
    return this.deliveryOf((event) => event.requestId === requestId && (config === undefined || event.config === config), timeoutMs);
  }

  /** The same for every queued event `matches` picks. */
  deliveryOf(matches: (event: E) => boolean, timeoutMs: number): Promise<void> {
    let upTo = 0;
    for (const p of this.pending()) if (matches(p.event)) upTo = Math.max(upTo, p.seq);
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
    // Events waiting for their outcome past the deadline will not get another try.
    for (const [batch, { timer, until }] of this.held) {
      if (until <= this.deadline) continue;
      clearTimeout(timer);
      this.held.delete(batch);
      this.giveUp(new CanaryError("gave_up", `${batch.length} ${this.noun} not delivered before the close or exit timeout: their outcome was not stored yet.`), batch.map((p) => p.event));
    }
    try {
      await this.flush();
    } finally {
      if (!this.closed) this.deadline = null;
    }
  }

  /**
   * For `pagehide`: one keepalive request with as much of the buffer as fits in `maxBytes` (browsers
   * let at most 64 KiB of such bodies outlive a page). Returns the bytes it used.
   */
  sendOnUnload(maxBytes: number): number {
    let bytes = 16;
    let count = 0;
    while (count < this.buffer.length && count < this.o.batchSize) {
      const size = ENCODER.encode(JSON.stringify(this.buffer[count].event)).length + 1;
      if (bytes + size > maxBytes) break;
      bytes += size;
      count++;
    }
    if (count === 0) return 0;
    const batch = this.buffer.splice(0, count);
    const events = batch.map((p) => p.event);
    this.inFlight.add(batch);
    // If the page survives (back/forward cache), unsent events go back to the front: resending is safe.
    const requeue = (keep: readonly E[] = events) => {
      const kept = new Set(keep);
      this.requeue(batch.filter((p) => kept.has(p.event)));
    };
    this.o.transport
      .request("POST", this.o.stream.path, { body: { events }, keepalive: true })
      .then((answer) => {
        if (answer.status >= 200 && answer.status < 300) return this.acknowledge(events.length, answer.body);
        const error = errorFrom(answer);
        const refusal = splitRefusal(error, events, this.noun, this.o.stream.retriesNotFound);
        if (error.unavailable || refusal?.notYet) requeue();
        else if (!refusal) this.giveUp(error, events);
        else {
          this.giveUp(refusal.error, refusal.refused);
          requeue(refusal.rest);
        }
      }, () => requeue())
      .finally(() => {
        this.inFlight.delete(batch);
        this.settle();
      });
    return bytes;
  }

  pendingCount(): number {
    let count = this.buffer.length;
    for (const batch of this.inFlight) count += batch.length;
    for (const batch of this.held.keys()) count += batch.length;
    return count;
  }

  stats(): DeliveryStats {
    const inFlight = [...this.inFlight].reduce((n, batch) => n + batch.length, 0);
    const { delivered, tally, dropped, failed } = this.counts;
    return { buffered: this.buffer.length, inFlight, delivered, duplicates: tally, dropped, failed };
  }

  scoreStats(): ScoreDeliveryStats {
    const { buffered, inFlight, delivered, duplicates, dropped, failed } = this.stats();
    const waiting = [...this.held.keys()].reduce((n, batch) => n + batch.length, 0);
    return { buffered, inFlight, waiting, delivered, replaced: duplicates, dropped, failed };
  }

  private *pending(): Generator<Pending<E>> {
    yield* this.buffer;
    for (const batch of this.inFlight) yield* batch;
    for (const batch of this.held.keys()) yield* batch;
  }

  /** Puts events back into the buffer in their original order (the buffer stays sorted by seq). */
  private requeue(events: readonly Pending<E>[]): void {
    if (events.length === 0) return;
    this.buffer = [...events, ...this.buffer].sort((a, b) => a.seq - b.seq);
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
        await this.o.stream.beforeSend?.(batch.map((p) => p.event));
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
    const tally = isRecord(body) ? body[this.o.stream.tally] : undefined;
    if (typeof tally === "number") this.counts.tally += tally;
  }

  /** Takes the events out of their in-flight batch (they are no longer in flight, even while the rest of it is). */
  private takeFromFlight(events: readonly E[]): Pending<E>[] {
    const taken = new Set(events);
    const found: Pending<E>[] = [];
    for (const batch of this.inFlight) {
      for (let i = batch.length - 1; i >= 0; i--) {
        if (taken.has(batch[i].event)) found.unshift(...batch.splice(i, 1));
      }
    }
    return found;
  }

  private giveUp(error: CanaryError, events: readonly E[]): void {
    this.counts.failed += events.length;
    this.takeFromFlight(events);
    this.report(this.o.stream.carry(error, events));
    this.settle();
  }

  /** Late scores whose outcome the server does not have yet: sent again after a pause, a bounded number of times. */
  private later(events: readonly E[], error: CanaryError): void {
    const batch = this.takeFromFlight(events);
    if (batch.length === 0) return;
    for (const p of batch) p.notFound++;
    const policy = this.o.notFoundRetry;
    const attempts = Math.max(...batch.map((p) => p.notFound));
    const delay = retryDelayMs(attempts, error.retryAfterMs, policy);
    const tooLate = this.deadline !== null && Date.now() + delay > this.deadline;
    if (attempts >= policy.maxAttempts || tooLate) {
      const why = tooLate ? "before the close or exit timeout" : `after ${attempts} attempts`;
      const message = `${batch.length} ${this.noun} given up: their outcome was not stored on the server ${why}; the last answer: ${error.message}`;
      const code = tooLate ? "gave_up" : "not_found";
      this.giveUp(new CanaryError(code, message, { status: 404, details: error.details, requestId: error.requestId, cause: error }), batch.map((p) => p.event));
      return;
    }
    const timer = setTimeout(() => {
      this.held.delete(batch);
      this.requeue(batch);
      this.drain();
    }, delay);
    // A flush or close waits for these; otherwise the wait must not keep a Node process alive.
    if (this.deadline === null && this.waiters.length === 0) holdProcess(timer, false);
    this.held.set(batch, { timer, until: Date.now() + delay });
  }

  private noteFull(event: E): void {
    this.full.push(event);
    if (this.full.length > 1) return;
    // One report per burst, not one per event: a full buffer usually means thousands at once.
    queueMicrotask(() => {
      const events = this.full;
      this.full = [];
      const message = `${events.length} ${this.noun} dropped: ${this.o.maxBuffered} were already waiting for delivery.`;
      this.report(this.o.stream.carry(new CanaryError("buffer_full", message), events));
    });
  }

  private report(error: CanaryError): void {
    try {
      this.o.onError(error);
    } catch {
      // The callback's own failure must not stop delivery.
    }
  }

  /** The buffer and every batch are sorted by seq: their first events are the candidates. */
  private lowestPending(): number {
    let low = this.buffer.length > 0 ? this.buffer[0].seq : Infinity;
    for (const batch of [...this.inFlight, ...this.held.keys()]) if (batch.length > 0) low = Math.min(low, batch[0].seq);
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
      // Someone is waiting now, so a retry pause (or a wait for an outcome) may hold the process open.
      if (this.pause) holdProcess(this.pause.timer, true);
      for (const { timer: held } of this.held.values()) holdProcess(held, true);
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
