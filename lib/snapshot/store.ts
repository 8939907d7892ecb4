import type { Database } from "../db/client";
import type { Listener } from "../db/listen";
import { CHANGE_CHANNEL } from "../change-notify";
import { isMaybeNewer } from "./miss";
import { registerSnapshotStore } from "./registry";
import { changeFingerprint, loadSnapshotRows } from "./repo";
import { buildSnapshot, type Snapshot } from "./snapshot";

// Keeps the process's routing snapshot current: LISTEN for changes (reload on each, coalesced),
// reload after the listener reconnects (notifications sent meanwhile are lost), and poll a
// change fingerprint every few seconds as the fallback. While the database cannot be reached
// the last snapshot keeps serving and `live` is false.

export interface SnapshotStoreOptions {
  pollMs?: number;
  log?: (message: string) => void;
}

const DEFAULT_POLL_MS = 3_000;

export class SnapshotStore {
  private snapshot: Snapshot | null = null;
  private listener: Listener | null = null;
  private listening = false;
  private reachable = true;
  private pollTimer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private stopped = false;
  private lastNotifyAt = 0;
  private lastMissReload = 0;
  private missReload: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly options: SnapshotStoreOptions = {},
  ) {}

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

  async start(): Promise<void> {
    // The first answers must not say "stale" only because the listening connection was still
    // being made: wait for its first outcome (up, or down and retrying).
    let firstOutcome!: () => void;
    const settled = new Promise<void>((resolve) => (firstOutcome = resolve));
    this.listener = await this.db.listen(CHANGE_CHANNEL, {
      onNotify: () => {
        this.lastNotifyAt = Date.now();
        void this.reload().catch(() => undefined);
      },
      onUp: () => {
        if (!this.listening && this.snapshot) this.log("listening for changes again; reloading the routing snapshot");
        this.listening = true;
        firstOutcome();
        void this.reload().catch(() => undefined);
      },
      onDown: (error) => {
        if (this.listening) this.log(`lost the change listener (${describe(error)}); serving the last snapshot, reconnecting`);
        this.listening = false;
        firstOutcome();
      },
    });
    await Promise.all([settled, this.reload()]);
    registerSnapshotStore(this);
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.pollTimer.unref();
  }

  /**
   * A snapshot that includes every change committed before this call, for a request that found
   * something unknown (lib/snapshot/miss.ts). Such loads start at most once a second and every
   * miss meanwhile waits for the next one, so unknown keys cannot make the database work per
   * request.
   */
  async refreshAfterMiss(): Promise<Snapshot> {
    this.missReload ??= (async () => {
      // Always yields first, so the line below clears this very promise, not the one before it.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, this.lastMissReload + 1_000 - Date.now())));
      this.lastMissReload = Date.now();
      this.missReload = null; // later misses may have changes this load started too early to see
      await this.reload().catch(() => undefined);
    })();
    await this.missReload;
    return this.current;
  }

  /**
   * `answer` from the current snapshot, handed to `then` at once: no promise on the common path,
   * because every promise costs once Next has turned async hooks on process-wide (the client API
   * and the gateway answer through it). On a possible miss (a key or config newer than the
   * snapshot), once more from a refreshed snapshot.
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

  /** Loads a new snapshot. Calls while one load runs share a single follow-up load. */
  reload(): Promise<void> {
    if (this.inFlight) {
      this.queued ??= this.inFlight
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.reload();
        });
      return this.queued;
    }
    this.inFlight = this.load().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    if (this.stopped) return;
    try {
      const rows = await loadSnapshotRows(this.db.prisma);
      this.snapshot = buildSnapshot(rows, new Date(), this.snapshot);
      this.setReachable(true);
    } catch (error) {
      this.setReachable(false, error);
      throw error;
    }
  }

  private async poll(): Promise<void> {
    try {
      const fingerprint = await changeFingerprint(this.db.prisma);
      this.setReachable(true);
      if (this.snapshot && fingerprint !== this.snapshot.fingerprint) {
        // A change no notification announced: the listening connection may be dead without
        // knowing it (a dropped NAT mapping, a failover). Listen anew.
        if (this.listening && Date.now() - this.lastNotifyAt > this.pollMs) {
          this.log("a change arrived without its notification; reconnecting the change listener");
          this.listener?.reconnect();
        }
        await this.reload();
      }
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
