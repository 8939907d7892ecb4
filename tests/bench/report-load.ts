// The console's rollout page as a load: what it fetches (the rollout, its report, chart series
// and samples) requested back to back by a few loops, over a rollout that has outcomes. Used by
// bench:route to measure /api/route while the console renders reports.
import type { Seeded } from "./harness";

const BATCH = 500;

/** `count` outcomes for the seeded config through /api/metrics (10 % canary, 2 % errors, ratings on 15 %). */
export async function sendOutcomes(port: number, seeded: Seeded, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, count - sent) }, (_, i) => {
      const canary = (sent + i) % 10 === 0;
      return {
        requestId: `report-load-${sent + i}`,
        config: "bench-chat",
        versionId: canary ? seeded.canaryId : seeded.stableId,
        isError: Math.random() < 0.02,
        latencyMs: Math.round(600 + Math.random() * 1_200),
        ...(Math.random() < 0.15 ? { rating: 1 + Math.floor(Math.random() * 5) } : {}),
        inputTokens: 300,
        outputTokens: 120,
        costUsd: 0.0009,
        input: "How do I reset my password?",
        output: "Open Settings, then Security, and choose Reset password.",
      };
    });
    const res = await fetch(`http://127.0.0.1:${port}/api/metrics`, {
      method: "POST",
      headers: { authorization: seeded.authorization, "content-type": "application/json" },
      body: JSON.stringify({ events }),
    });
    if (res.status !== 202) throw new Error(`sending outcomes: /api/metrics answered ${res.status}: ${await res.text()}`);
  }
}

export interface PageLoads {
  /** Rollout pages rendered (all four requests answered 200). */
  pages: number;
  /** Requests that did not answer 200. */
  failed: number;
  /** Median and slowest page, all four requests in turn. */
  p50Ms: number;
  maxMs: number;
}

/** `loops` loops render the rollout page back to back until stopped (one is an operator reloading without pause). */
export function renderRolloutPages(port: number, seeded: Seeded, loops = 2): { stop(): Promise<PageLoads> } {
  let running = true;
  const durations: number[] = [];
  let failed = 0;
  const base = `http://127.0.0.1:${port}/api/admin/rollouts/${seeded.rolloutId}`;
  const paths = [base, `${base}/report`, `${base}/series`, `${base}/samples`];
  const loop = async () => {
    while (running) {
      const started = performance.now();
      let ok = true;
      for (const url of paths) {
        const res = await fetch(url, { headers: { authorization: seeded.adminAuthorization } });
        await res.arrayBuffer();
        if (res.status !== 200) {
          ok = false;
          failed++;
        }
      }
      if (ok) durations.push(performance.now() - started);
    }
  };
  const all = Promise.all(Array.from({ length: loops }, loop));
  return {
    async stop() {
      running = false;
      await all;
      durations.sort((a, b) => a - b);
      return { pages: durations.length, failed, p50Ms: durations[Math.floor(durations.length / 2)] ?? NaN, maxMs: durations.at(-1) ?? NaN };
    },
  };
}
