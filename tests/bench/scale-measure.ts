// What bench:scale measures on each database besides propagation (scale-propagation.ts): a full
// snapshot load in this process, an instance's resident memory, the report and series of a
// rollout, and one retention pass that drops a day, followed by a batch of ingest.
import { readFileSync } from "node:fs";
import type { Database } from "../../lib/db/client";
import { runRetentionPass } from "../../lib/db/retention-job";
import { retentionSettings } from "../../lib/db/retention";
import { SnapshotStore } from "../../lib/snapshot/store";
import type { Running } from "./harness";

const DAY_MS = 86_400_000;

export interface Quantiles {
  p50: number;
  p99: number;
  n: number;
}

export function quantiles(values: readonly number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), n: sorted.length };
}

/** A process's resident memory in MB (/proc/<pid>/status VmRSS); NaN when it cannot be read. */
export function rssMb(pid: number | undefined): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error("bench:scale measures the heap: run node with --expose-gc (npm run bench:scale does).");
  collect();
  collect();
}

export interface SnapshotLoad {
  /** The first full load, from start() (LISTEN, then the load). */
  firstMs: number;
  /** Full reloads after it (reload()). */
  reload: Quantiles;
  /** Heap held by the loaded store, after collection. */
  heapMb: number;
  /** The most heap in use during the reloads (sampled every 2 ms), above what was in use before the store: the load's transient peak. */
  peakHeapMb: number;
}

/** A SnapshotStore started in this process: time and heap of a full load, after one throwaway store warmed the code. */
export async function measureSnapshotLoad(db: Database, reloads = 5): Promise<SnapshotLoad> {
  const quiet = { log: () => undefined };
  const warm = new SnapshotStore(db, quiet);
  await warm.start();
  await warm.stop();
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = new SnapshotStore(db, quiet);
  const started = performance.now();
  await store.start();
  const firstMs = performance.now() - started;
  gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  const times: number[] = [];
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
  for (let i = 0; i < reloads; i++) {
    const t = performance.now();
    await store.reload();
    times.push(performance.now() - t);
  }
  clearInterval(sampler);
  await store.stop();
  return { firstMs, reload: quantiles(times), heapMb, peakHeapMb: (peak - before) / 1024 / 1024 };
}

export interface Probe {
  configKey: string;
  stableVersionId: string;
  canaryVersionId: string;
  /** `Bearer …` with the route scope, and with the admin scope. */
  routeAuth: string;
  adminAuth: string;
}

export interface Reports {
  report: Quantiles;
  series: Quantiles;
  /** Requests per variant in the report's whole-rollout figures. */
  requests: { stable: number; canary: number };
}

/** GET …/report and …/series of a rollout on instance A, `runs` times each after two warm-up calls. */
export async function measureReports(a: Running, probe: Probe, rolloutId: string, runs = 30): Promise<Reports> {
  const get = async (what: "report" | "series") => {
    const res = await fetch(`http://127.0.0.1:${a.port}/api/admin/rollouts/${rolloutId}/${what}`, { headers: { authorization: probe.adminAuth } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET …/${what} answered ${res.status}: ${text}`);
    return JSON.parse(text) as { stable: { requests: number }; canary: { requests: number } };
  };
  const timed = async (what: "report" | "series") => {
    for (let i = 0; i < 2; i++) await get(what);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await get(what);
      times.push(performance.now() - started);
    }
    return quantiles(times);
  };
  const last = await get("report");
  return { report: await timed("report"), series: await timed("series"), requests: { stable: last.stable.requests, canary: last.canary.requests } };
}

export interface RetentionDrop {
  passMs: number;
  /** DETACH … CONCURRENTLY and DROP of the outcomes partitions dropped. */
  outcomeDropMs: number;
  /** Deleting the dropped days' outcome keys. */
  keysMs: number;
  keysDeleted: number;
  dropped: string[];
}

/**
 * One retention pass (lib/db/retention-job.ts) with a clock a day ahead, so the oldest day of
 * outcomes is past the deployment's retention; each statement timed through a wrapper of `db`.
 */
export async function measureRetentionDrop(db: Database): Promise<RetentionDrop> {
  const spent = { outcomeDrop: 0, keys: 0 };
  const timedDb: Database = {
    ...db,
    query: async <T>(text: string, params: unknown[], name?: string): Promise<T[]> => {
      const started = performance.now();
      try {
        return await db.query<T>(text, params, name);
      } finally {
        const ms = performance.now() - started;
        if (/^(ALTER TABLE "outcomes" DETACH|DROP TABLE "outcomes_p)/.test(text)) spent.outcomeDrop += ms;
        if (name === "llm_canary_prune_outcome_keys") spent.keys += ms;
      }
    },
  };
  const started = performance.now();
  const pass = await runRetentionPass(timedDb, retentionSettings(), new Date(Date.now() + DAY_MS));
  return { passMs: performance.now() - started, outcomeDropMs: spent.outcomeDrop, keysMs: spent.keys, keysDeleted: pass.keysDeleted, dropped: pass.dropped };
}

/** A batch of `count` outcomes for the probe config sent to instance A's /api/metrics now; answers how many it accepted. */
export async function ingestAfterDrop(a: Running, probe: Probe, prefix: string, count = 500): Promise<number> {
  const events = Array.from({ length: count }, (_, i) => ({
    requestId: `${prefix}-${i}`,
    config: probe.configKey,
    versionId: probe.stableVersionId,
    isError: false,
    latencyMs: 800 + i,
    inputTokens: 300,
    outputTokens: 120,
    costUsd: 0.0009,
  }));
  const res = await fetch(`http://127.0.0.1:${a.port}/api/metrics`, {
    method: "POST",
    headers: { authorization: probe.routeAuth, "content-type": "application/json" },
    body: JSON.stringify({ events }),
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`/api/metrics answered ${res.status} after the drop: ${text}`);
  return (JSON.parse(text) as { accepted: number }).accepted;
}
