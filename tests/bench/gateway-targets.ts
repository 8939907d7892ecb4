// bench:gateway's targets and how a scenario's three runs are judged by them (./gateway.ts measures).
import { fmt } from "./harness";
import { limitOf, type Measured, type Target } from "./targets";

export const TARGETS = {
  addedP50: { name: "time added p50 (gateway − direct)", unit: "ms", bound: "max", limit: 1, digits: 2, env: "BENCH_GATEWAY_MAX_ADDED_P50_MS" },
  addedP99: { name: "time added p99 (gateway − direct)", unit: "ms", bound: "max", limit: 5, digits: 2, env: "BENCH_GATEWAY_MAX_ADDED_P99_MS" },
  ratio: { name: "gateway / bare proxy req/s", unit: "×", bound: "min", limit: 0.8, digits: 2, env: "BENCH_GATEWAY_MIN_RATIO" },
  failed: { name: "failed calls (non-2xx or errors)", unit: "", bound: "max", limit: 0 },
} satisfies Record<string, Target>;

/** Answered but not recorded, over every scenario: recording must keep up and lose nothing at a clean stop. */
export const UNRECORDED: Target = { name: "gateway calls answered but not recorded", unit: "", bound: "max", limit: 0 };

export interface Scenario {
  name: string;
  stream: boolean;
}

/**
 * One target's measurements over its rounds: each 2xx answer's latency in ms (after each turn's
 * first RAMP_MS in ./gateway.ts, and within it), and the CPU its process spent per answer.
 */
export interface Run {
  reqPerSec: number;
  latencies: Float64Array;
  ramp: Float64Array;
  failed: { non2xx: number; errors: number };
  cpuPerCall?: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The time `run` adds over calling the provider directly, at percentile `p`. */
function addedOver(direct: Run, run: Run, p: number): number {
  return percentile(run.latencies, p) - percentile(direct.latencies, p);
}

export interface ScenarioResult {
  scenario: Scenario;
  direct: Run;
  proxy: Run;
  gateway: Run;
}

export function targetsOf({ scenario, direct, proxy, gateway }: ScenarioResult): Measured[] {
  const named = (target: Target): Target => ({ ...target, name: `${scenario.name}: ${target.name}` });
  const added = (run: Run, p: number) => addedOver(direct, run, p);
  const at = (run: Run, p: number) => fmt(percentile(run.latencies, p), 2);
  // What forwarding alone adds on this machine, for scale: the bare proxy is measured against the same bound.
  const proxyAdds = (p: number) => `bare proxy ${at(proxy, p)}: adds ${fmt(added(proxy, p), 2)} ms`;
  return [
    { target: named(TARGETS.addedP50), value: added(gateway, 50), detail: `${at(gateway, 50)} vs ${at(direct, 50)} ms (${proxyAdds(50)})` },
    { target: named(TARGETS.addedP99), value: added(gateway, 99), detail: `${at(gateway, 99)} vs ${at(direct, 99)} ms (${proxyAdds(99)})` },
    { target: named(TARGETS.ratio), value: gateway.reqPerSec / proxy.reqPerSec, detail: `${fmt(gateway.reqPerSec)} vs ${fmt(proxy.reqPerSec)} req/s` },
    { target: named(TARGETS.failed), value: gateway.failed.non2xx + gateway.failed.errors, detail: `${gateway.failed.non2xx} non-2xx, ${gateway.failed.errors} errors` },
  ];
}

/**
 * The bare proxy judged by the gateway's latency bounds, printed for scale (it is not a target):
 * on a shared 2-core machine forwarding alone costs about that much, so a run in which the proxy
 * misses them says more about the machine than about the gateway.
 */
export function proxyAgainstBounds(results: ScenarioResult[]): void {
  console.info("\nfor scale, the bare proxy judged by the same bounds (not a target):");
  for (const { scenario, direct, proxy } of results) {
    const judged = ([[50, TARGETS.addedP50], [99, TARGETS.addedP99]] as const).map(([p, target]) => {
      const added = addedOver(direct, proxy, p);
      const limit = limitOf(target);
      return `p${p} adds ${fmt(added, 2)} ms (${added <= limit ? "within" : "BEYOND"} ≤ ${fmt(limit, 2)})`;
    });
    console.info(`  ${scenario.name}: ${judged.join(", ")}`);
  }
}
