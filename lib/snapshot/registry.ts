// The process's running snapshot store, reachable from any module copy: the custom server starts
// it, and /api/health (in Next's bundle, a separate module instance) reports on it.

export interface SnapshotStatus {
  state: "live" | "stale";
  loadedAt: string;
  configs: number;
}

interface StatusSource {
  readonly live: boolean;
  readonly current: { loadedAt: Date; configsByKey: ReadonlyMap<string, unknown> };
}

const KEY = Symbol.for("llm-canary.snapshot-store");
type GlobalWithStore = typeof globalThis & { [KEY]?: StatusSource };

export function registerSnapshotStore(store: StatusSource | null): void {
  const g = globalThis as GlobalWithStore;
  if (store) g[KEY] = store;
  else delete g[KEY];
}

/** Null when this process serves no client API (e.g. `next dev` without the custom server). */
export function snapshotStatus(): SnapshotStatus | null {
  const store = (globalThis as GlobalWithStore)[KEY];
  if (!store) return null;
  return { state: store.live ? "live" : "stale", loadedAt: store.current.loadedAt.toISOString(), configs: store.current.configsByKey.size };
}
