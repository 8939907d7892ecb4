import { gatewayRecorderStatus } from "../gateway/registry";
import type { RecorderStats } from "../gateway/recorder";
import { snapshotStatus, type SnapshotStatus } from "../snapshot/registry";

// What /api/health reports of the client API and the gateway. They run on the server's main
// thread; the console (Next, with /api/health) runs on a thread of its own (./console.ts), which
// asks the main thread through the source it registers here. Without one — the route called in
// the main thread, as the tests do — the registries are read directly.

export interface ServerStatus {
  snapshot: SnapshotStatus | null;
  recorder: RecorderStats | null;
}

const KEY = Symbol.for("llm-canary.server-status");
type GlobalWithSource = typeof globalThis & { [KEY]?: () => Promise<ServerStatus> };

/** This thread's status, read from its registries. */
export function localStatus(): ServerStatus {
  return { snapshot: snapshotStatus(), recorder: gatewayRecorderStatus() };
}

/** Makes serverStatus() ask elsewhere (the console thread asks the main thread). */
export function setStatusSource(source: () => Promise<ServerStatus>): void {
  (globalThis as GlobalWithSource)[KEY] = source;
}

export function serverStatus(): Promise<ServerStatus> {
  const source = (globalThis as GlobalWithSource)[KEY];
  return source ? source() : Promise.resolve(localStatus());
}
