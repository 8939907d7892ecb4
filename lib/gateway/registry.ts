import type { RecorderStats } from "./recorder";

// The process's running gateway, reachable from any module copy as the snapshot store is
// (lib/snapshot/registry.ts): the custom server starts it, and /api/health (in Next's bundle, a
// separate module instance) reports its recorder's counts, so an operator sees outcomes waiting
// while the database is down, and any that were dropped, without reading the logs.

interface StatsSource {
  stats(): RecorderStats;
}

const KEY = Symbol.for("llm-canary.gateway-recorder");
type GlobalWithRecorder = typeof globalThis & { [KEY]?: StatsSource };

export function registerGatewayRecorder(recorder: StatsSource): void {
  (globalThis as GlobalWithRecorder)[KEY] = recorder;
}

/** Only the one registered: a process running two gateways (tests) keeps reporting the other. */
export function unregisterGatewayRecorder(recorder: StatsSource): void {
  const g = globalThis as GlobalWithRecorder;
  if (g[KEY] === recorder) delete g[KEY];
}

/** The recorder's counts since the server started; null when this process serves no gateway. */
export function gatewayRecorderStatus(): RecorderStats | null {
  return (globalThis as GlobalWithRecorder)[KEY]?.stats() ?? null;
}
