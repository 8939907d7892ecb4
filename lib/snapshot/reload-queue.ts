import { scopeOf, type Item, type Notice } from "./changes";
import type { ReloadScope } from "./repo";

// Which loads the snapshot needs next, run one at a time. Items named by notifications wait in a
// set (a burst of changes to one config is one reload of it) and are loaded together once the
// load in flight is done; a full load (start-up, reconnect, a notice not understood, a missed
// change) replaces them all. One load at a time, each in its own transaction begun after the
// previous one was installed, so a load never installs rows older than what is already there.
//
// Changes are numbered (lib/change-notify.ts): `seq` grows by one per change, in commit order,
// and notifications arrive in commit order. `heard` is the last seq announced; `applied` the seq
// up to which every change is in the snapshot. A notice that skips a number means one was missed.

/** Runs a load and installs it; returns the change marker a full load read (null for a partial one). */
export type Load = (scope: ReloadScope | null) => Promise<number | null>;

/** More items than this waiting at once: one full load instead (a burst across most of the data). */
const MAX_WAITING_ITEMS = 2_000;
/** After a failed load, the next try comes after this long, doubled per failure up to the maximum. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

interface Waiter {
  ready(): boolean;
  resolve(): void;
}

export class ReloadQueue {
  /** The last change seq announced, or loaded by a full load. */
  heard = 0;
  /** Every change up to this seq is in the snapshot. */
  applied = 0;
  /** Loads run so far, for tests and logs: full and partial. */
  readonly counts = { full: 0, partial: 0 };
  private readonly waiting = new Map<string, { item: Item; seq: number }>();
  private fullWanted = false;
  private fullRequests: { resolve(): void; reject(error: unknown): void }[] = [];
  private loadedOnce = false;
  private running = false;
  private fullRunning = false;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly load: Load,
    private readonly log: (message: string) => void,
  ) {}

  /** A notification: its item is reloaded; one not understood (null) or out of order reloads everything. */
  note(notice: Notice | null): void {
    if (!notice) {
      this.log("a change notification was not understood; reloading the whole routing snapshot");
      void this.requestFull().catch(() => undefined);
      return;
    }
    if (notice.seq <= this.applied) return; // a full load already has it
    if (this.loadedOnce && !this.fullWanted && !this.fullRunning && notice.seq > this.heard + 1) {
      this.log(`missed changes ${this.heard + 1}-${notice.seq - 1}; reloading the whole routing snapshot`);
      void this.requestFull().catch(() => undefined);
    }
    this.heard = Math.max(this.heard, notice.seq);
    if (notice.item) {
      const key = `${notice.item.kind}\u0000${notice.item.id}`;
      this.waiting.set(key, { item: notice.item, seq: notice.seq });
      if (this.waiting.size > MAX_WAITING_ITEMS && !this.fullWanted) void this.requestFull().catch(() => undefined);
    }
    this.kick();
  }

  /** A full load that starts after this call; rejects when it fails. */
  requestFull(): Promise<void> {
    this.fullWanted = true;
    const done = new Promise<void>((resolve, reject) => this.fullRequests.push({ resolve, reject }));
    this.kick();
    return done;
  }

  /**
   * Forgets the numbers heard and reloads everything: for a change marker that went back (a
   * database restored from a backup numbers its changes from where it was then).
   */
  restart(): Promise<void> {
    this.heard = 0;
    this.applied = 0;
    return this.requestFull();
  }

  /** Loads what is waiting, if anything is and no load runs (after a failed load: the next poll calls this). */
  kick(): void {
    if (!this.running && !this.stopped && (this.fullWanted || this.waiting.size > 0)) void this.run();
    this.settle();
  }

  /** Resolves once every change up to `seq` is applied, or a load failed (the caller answers from the snapshot it has). */
  whenApplied(seq: number): Promise<void> {
    return this.until(() => this.applied >= seq);
  }

  /** True once a change up to `seq` was announced, false after `timeoutMs` without. */
  whenHeard(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.heard >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = { ready: () => this.heard >= seq, resolve: () => (clearTimeout(timer), resolve(this.heard >= seq)) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }

  private until(ready: () => boolean): Promise<void> {
    if (ready() || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add({ ready, resolve }));
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped) {
        if (this.fullWanted || !this.loadedOnce) await this.runFull();
        else if (this.waiting.size > 0) await this.runPartial();
        else break;
        this.retryMs = FIRST_RETRY_MS;
        this.settle();
      }
    } catch {
      // The load failed (the store logged it): what was waiting still waits, and is tried again
      // soon (or at the next notification or poll). Waiters go on with the snapshot they have.
      for (const waiter of this.waiters) waiter.resolve();
      this.waiters.clear();
      this.retryLater();
    } finally {
      this.running = false;
    }
    this.settle();
  }

  private async runFull(): Promise<void> {
    this.fullWanted = false;
    const requests = this.fullRequests;
    this.fullRequests = [];
    this.fullRunning = true;
    try {
      const seq = (await this.load(null)) ?? 0;
      this.counts.full++;
      this.loadedOnce = true;
      this.applied = Math.max(this.applied, seq);
      this.heard = Math.max(this.heard, seq);
      // Items announced before the load read the marker are in it.
      for (const [key, { seq: itemSeq }] of this.waiting) if (itemSeq <= seq) this.waiting.delete(key);
      for (const request of requests) request.resolve();
    } catch (error) {
      this.fullWanted = true;
      for (const request of requests) request.reject(error);
      throw error;
    } finally {
      this.fullRunning = false;
    }
  }

  private async runPartial(): Promise<void> {
    const taken = [...this.waiting.values()];
    this.waiting.clear();
    // Every change announced so far is in `taken`, applied before, or changes nothing loaded:
    // once `taken` is installed, everything up to here is.
    const through = this.heard;
    try {
      await this.load(scopeOf(taken.map((t) => t.item)));
      this.counts.partial++;
      this.applied = Math.max(this.applied, through);
    } catch (error) {
      for (const t of taken) {
        const key = `${t.item.kind}\u0000${t.item.id}`;
        if (!this.waiting.has(key)) this.waiting.set(key, t);
      }
      throw error;
    }
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  /** Idle with nothing waiting: every change heard is applied. Then wakes the waiters whose moment came. */
  private settle(): void {
    if (!this.running && this.loadedOnce && !this.fullWanted && this.waiting.size === 0) this.applied = Math.max(this.applied, this.heard);
    for (const waiter of this.waiters) {
      if (waiter.ready()) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
