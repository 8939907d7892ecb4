import type { Database } from "../db/client";
import type { Listener } from "../db/listen";
import { CHANGE_CHANNEL } from "../change-notify";
import { parseNotice } from "./changes";
import { loadSnapshot } from "./load";
import { isMaybeNewer } from "./miss";
import { PastLookup } from "./past";
import { registerSnapshotStore } from "./registry";
import { ReloadQueue } from "./reload-queue";
import { readChangeMarker, type ReloadScope } from "./repo";
import type { Snapshot } from "./snapshot";

// Keeps the process's routing snapshot current: LISTEN for changes and reload only the item each
// names (coalesced: lib/snapshot/reload-queue.ts); reload everything at start-up and after the
// listener reconnects (notifications sent meanwhile are lost); and poll the change marker (one
// row) every few seconds as the fallback. While the database cannot be reached the last snapshot
// keeps serving and `live` is false.

export interface SnapshotStoreOptions {
  pollMs?: number;
  log?: (message: string) => void;
}

const DEFAULT_POLL_MS = 3_000;
/**
 * How long a change the marker shows may go unannounced before it counts as missed: notifications
 * arrive milliseconds after their commit (tens under load).
 */
const NOTICE_GRACE_MS = 1_000;

export class SnapshotStore {
  private snapshot: Snapshot | null = null;
  private listener: Listener | null = null;
  private listening = false;
  private reachable = true;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastMissCatchUp = 0;
  private missCatchUp: Promise<void> | null = null;
  private readonly queue: ReloadQueue;
  private readonly past: PastLookup;

  constructor(
    private readonly db: Database,
    private readonly options: SnapshotStoreOptions = {},
  ) {
    this.queue = new ReloadQueue((scope) => this.load(scope), (message) => this.log(message));
    this.past = new PastLookup(db.prisma);
  }

  private get pollMs(): number {
    return this.options.pollMs ?? DEFAULT_POLL_MS;
  }

  /** The current snapshot; start() has loaded one. */
  get current(): Snapshot {
    if (!this.snapshot) throw new Error("The routing snapshot has not been loaded; call start() first.");
    return this.snapshot;
  }

  /** False while the database is unreachable or changes cannot be heard: answers may be stale. */
  get live(): boolean {
    return this.listening && this.reachable;
  }

  /** The loads run so far (full and partial) and the change seq applied: what tests and logs look at. */
  get loads(): { full: number; partial: number; applied: number } {
    return { ...this.queue.counts, applied: this.queue.applied };
  }

  async start(): Promise<void> {
    // The first answers must not say "stale" only because the listening connection was still
    // being made: wait for its first outcome (up, or down and retrying).
    let firstOutcome!: () => void;
    const settled = new Promise<void>((resolve) => (firstOutcome = resolve));
    let firstLoad: Promise<void> | null = null;
    this.listener = await this.db.listen(CHANGE_CHANNEL, {
      onNotify: (payload) => this.queue.note(parseNotice(payload)),
      onUp: () => {
        if (!this.listening && this.snapshot) this.log("listening for changes again; reloading the routing snapshot");
        this.listening = true;
        const load = this.queue.requestFull();
        load.catch(() => undefined);
        firstLoad ??= load;
        firstOutcome();
      },
      onDown: (error) => {
        if (this.listening) this.log(`lost the change listener (${describe(error)}); serving the last snapshot, reconnecting`);
        this.listening = false;
        firstOutcome();
      },
    });
    await settled;
    // Listening: the load onUp asked for (it started after LISTEN). Not: one of our own, whose failure fails start().
    await (firstLoad ?? this.queue.requestFull());
    registerSnapshotStore(this);
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.pollTimer.unref();
  }

  /** Reloads everything, for start-up, a reconnect, a missed change, and tests that wrote around the services. */
  reload(): Promise<void> {
    return this.queue.requestFull();
  }

  /**
   * Resolves once every change committed before this call is in the snapshot: reads the change
   * marker, waits for its notifications and their loads, and reloads everything when one of them
   * does not come (or the listener is down). Resolves with the snapshot it has when a load fails.
   */
  async catchUp(): Promise<void> {
    const marker = await readChangeMarker(this.db.prisma);
    this.setReachable(true);
    if (!(this.listening && (await this.queue.whenHeard(marker, NOTICE_GRACE_MS)))) {
      if (this.listening) this.log(`change ${marker} was committed but not announced; reloading the whole routing snapshot`);
      await this.queue.requestFull().catch(() => undefined);
    }
    this.queue.kick(); // retries a load that failed before
    await this.queue.whenApplied(marker);
  }

  /**
   * A snapshot that includes every change committed before this call, for a request that found
   * something unknown (lib/snapshot/miss.ts). Such catch-ups start at most once a second and
   * every miss meanwhile waits for the next one, so unknown keys cannot make the database work
   * per request.
   */
  async refreshAfterMiss(): Promise<Snapshot> {
    this.missCatchUp ??= (async () => {
      // Always yields first, so the line below clears this very promise, not the one before it.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, this.lastMissCatchUp + 1_000 - Date.now())));
      this.lastMissCatchUp = Date.now();
      this.missCatchUp = null; // later misses may have changes this catch-up started too early to see
      await this.catchUp().catch((error: unknown) => this.setReachable(false, error));
    })();
    await this.missCatchUp;
    return this.current;
  }

  /**
   * `answer` from the current snapshot, handed to `then` at once: no promise on the common path,
   * because every promise is an allocation per request (and cost an async hook while Next shared
   * the isolate; the client API and the gateway answer through it). On a possible miss (a key or
   * config newer than the snapshot), once more from a refreshed snapshot.
   */
  answerNowOrAfterRefresh<T>(answer: (snapshot: Snapshot) => T, then: (value: T) => void, fail: (error: unknown) => void): void {
    let value: T;
    try {
      value = answer(this.current);
    } catch (error) {
      if (!isMaybeNewer(error)) return fail(error);
      return void this.refreshAfterMiss().then(answer).then(then, fail);
    }
    then(value);
  }

  /** Loads `scope` (null: everything) and installs it; returns the change marker a full load read. */
  private async load(scope: ReloadScope | null): Promise<number | null> {
    if (this.stopped) return null;
    try {
      const { snapshot, seq } = await loadSnapshot(this.db.prisma, scope, this.snapshot, this.past);
      this.snapshot = snapshot;
      this.setReachable(true);
      return seq;
    } catch (error) {
      this.setReachable(false, error);
      throw error;
    }
  }

  /** The fallback: the change marker ahead of every notification heard means one was missed. */
  private async poll(): Promise<void> {
    try {
      const marker = await readChangeMarker(this.db.prisma);
      this.setReachable(true);
      if (marker < this.queue.applied) {
        this.log(`the change marker went back from ${this.queue.applied} to ${marker} (a restored database?); reloading the whole routing snapshot`);
        await this.queue.restart();
        return;
      }
      if (marker === this.queue.applied) return;
      if (!this.listening) {
        await this.queue.requestFull(); // nothing is announced while the listener is down
        return;
      }
      if (await this.queue.whenHeard(marker, NOTICE_GRACE_MS)) {
        this.queue.kick(); // announced but not applied: a load failed, or runs; (re)start it
        return;
      }
      // The listening connection may be dead without knowing it (a dropped NAT mapping, a
      // failover): listen anew, which reloads everything once listening.
      this.log(`change ${marker} was committed but not announced; reconnecting the change listener`);
      this.listener?.reconnect();
    } catch (error) {
      this.setReachable(false, error);
    }
  }

  private setReachable(reachable: boolean, error?: unknown): void {
    if (this.reachable && !reachable) this.log(`database unreachable (${describe(error)}); serving the snapshot of ${this.snapshot?.loadedAt.toISOString() ?? "never"}`);
    if (!this.reachable && reachable) this.log("database reachable again");
    this.reachable = reachable;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.stop();
    registerSnapshotStore(null);
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.listener?.close();
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => console.info(`[llm-canary] ${m}`)))(message);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
