// What bench:scale measures on one database (its empty-history baseline and the generated one):
// change propagation between two instances under /api/route load, a full snapshot load in this
// process, the instances' resident memory, the report and series of a rollout, and one retention
// pass that drops a day, followed by a batch of ingest.
import { readFileSync } from "node:fs";
import pg from "pg";
import { CHANGE_CHANNEL } from "../../lib/change-notify";
import type { Database } from "../../lib/db/client";
import { runRetentionPass } from "../../lib/db/retention-job";
import { retentionSettings } from "../../lib/db/retention";
import { SnapshotStore } from "../../lib/snapshot/store";
import { load, type LoadResult, type Running } from "./harness";

const DAY_MS = 86_400_000;
const PROBE_USER = "probe-user";
/** Changes timed before the load begins (an even number: each pair leaves the probe config without a rollout). */
const IDLE_CHANGES = 20;

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

export interface Propagation {
  /**
   * From the time the service stamped the change, inside its transaction (the rollout's
   * stageStartedAt or endedAt, on this machine's clock), until instance B answered with it.
   */
  ms: Quantiles;
  /**
   * From the change's notification reaching this process (a LISTEN connection of its own: after
   * the commit) until instance B answered with it: B's reload and the answer, without A's
   * transaction.
   */
  notifiedMs: Quantiles;
  /** From sending the change to instance A until instance B answered with it: the admin request included. */
  sentMs: Quantiles;
  /** The admin request alone (sent → answered by A). */
  adminMs: Quantiles;
  /** The same as `ms` before the load began, B idle. */
  idleMs: Quantiles;
  /** Changes B had not shown after 5 s. */
  lost: number;
  load: LoadResult;
  rssMb: { a: number; bWarm: number; bLoaded: number };
}

async function answeredVersion(port: number, probe: Probe): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/route?config=${probe.configKey}&userId=${PROBE_USER}`, { headers: { authorization: probe.routeAuth } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/api/route answered ${res.status}: ${text}`);
  return (JSON.parse(text) as { versionId: string }).versionId;
}

interface RolloutAnswer {
  id: string;
  stageStartedAt: string;
  endedAt: string | null;
}

async function admin(port: number, probe: Probe, path: string, body: unknown): Promise<RolloutAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { authorization: probe.adminAuth, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as RolloutAnswer;
}

/** The /api/route load on B: `connections` connections (BENCH_SCALE_CONNECTIONS, 50) over `configs`, 100,000 distinct users. */
const CONNECTIONS = Number(process.env.BENCH_SCALE_CONNECTIONS ?? 50);

function routeLoad(port: number, probe: Probe, configs: readonly string[], duration: number): Promise<LoadResult> {
  let n = 0;
  return load({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration,
    headers: { authorization: probe.routeAuth },
    requests: [
      {
        method: "GET",
        setupRequest: (request) => {
          n++;
          request.path = `/api/route?config=${configs[n % configs.length]}&userId=user-${n % 100_000}`;
          return request;
        },
      },
    ],
  });
}

interface Notices {
  /** When (Date.now()) the next notification arrives. */
  next(): Promise<number>;
  close(): Promise<void>;
}

/** This process's own LISTEN on the change channel: when each notification arrives. */
async function listenForChanges(url: string): Promise<Notices> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`LISTEN ${CHANGE_CHANNEL}`);
  let waiting: ((at: number) => void) | null = null;
  client.on("notification", () => {
    waiting?.(Date.now());
    waiting = null;
  });
  return {
    // Only notifications after this call: one before is not this change's.
    next: () => new Promise((resolve) => (waiting = resolve)),
    close: () => client.end(),
  };
}

interface Change {
  /** From the time the service stamped the change inside its transaction until B answered with it. */
  stampedToSeenMs: number;
  notifiedToSeenMs: number;
  sentToSeenMs: number;
  adminMs: number;
}

/**
 * A rollout started on A with the probe user included (`rolloutId` null), or that rollout aborted;
 * B is asked for the probe user's answer back to back until it names the new version. Null when
 * B did not within 5 s.
 */
async function change(a: Running, b: Running, probe: Probe, notices: Notices, rolloutId: string | null): Promise<{ rollout: RolloutAnswer; seen: Change | null }> {
  const expected = rolloutId === null ? probe.canaryVersionId : probe.stableVersionId;
  const sent = performance.now();
  const notified = notices.next();
  const request =
    rolloutId === null
      ? admin(a.port, probe, `/api/admin/configs/${probe.configKey}/rollouts`, {
          canaryVersionId: probe.canaryVersionId,
          include: [PROBE_USER],
          stages: [{ percent: 1, minDurationSec: 3600, minSamples: 100 }, { percent: 100, minDurationSec: 3600, minSamples: 100 }],
        })
      : admin(a.port, probe, `/api/admin/rollouts/${rolloutId}/abort`, {});
  let adminMs = Number.NaN;
  const answered = request.then((rollout) => ((adminMs = performance.now() - sent), rollout));
  answered.catch(() => undefined); // awaited below
  let seenAt: number | null = null;
  while (performance.now() - sent < 5_000) {
    if ((await answeredVersion(b.port, probe)) === expected) {
      seenAt = Date.now();
      break;
    }
  }
  const sentToSeenMs = performance.now() - sent;
  const rollout = await answered;
  if (seenAt === null) return { rollout, seen: null };
  const stampedAt = new Date((rolloutId === null ? rollout.stageStartedAt : rollout.endedAt) ?? Number.NaN).getTime();
  return { rollout, seen: { stampedToSeenMs: seenAt - stampedAt, notifiedToSeenMs: seenAt - (await notified), sentToSeenMs, adminMs } };
}

/**
 * `changes` routing changes committed through the admin API of instance A — a rollout started with
 * the probe user included, then aborted, in turn — each timed until instance B's /api/route
 * answers the probe user with the new version, while B serves the load of routeLoad; and
 * IDLE_CHANGES before the load, for comparison.
 */
export async function measurePropagation(
  url: string,
  a: Running,
  b: Running,
  probe: Probe,
  configs: readonly string[],
  changes: number,
  loadSeconds: number,
): Promise<Propagation> {
  const notices = await listenForChanges(url);
  try {
    return await timeChanges(a, b, probe, notices, configs, changes, loadSeconds);
  } finally {
    await notices.close();
  }
}

async function timeChanges(
  a: Running,
  b: Running,
  probe: Probe,
  notices: Notices,
  configs: readonly string[],
  changes: number,
  loadSeconds: number,
): Promise<Propagation> {
  const idle: Change[] = [];
  let rolloutId: string | null = null;
  // The first pair warms both instances' code paths and is not counted.
  for (let i = 0; i < IDLE_CHANGES + 2; i++) {
    const result = await change(a, b, probe, notices, rolloutId);
    rolloutId = rolloutId === null ? result.rollout.id : null;
    if (result.seen && i >= 2) idle.push(result.seen);
  }
  await routeLoad(b.port, probe, configs, 3); // warm-up
  const bWarm = rssMb(b.pid);
  let loading = true;
  const running = routeLoad(b.port, probe, configs, loadSeconds).finally(() => (loading = false));
  const seen: Change[] = [];
  let lost = 0;
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the load at full speed first
  for (let i = 0; i < changes && loading; i++) {
    const result = await change(a, b, probe, notices, rolloutId);
    rolloutId = rolloutId === null ? result.rollout.id : null;
    if (result.seen) seen.push(result.seen);
    else lost++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (rolloutId !== null) await admin(a.port, probe, `/api/admin/rollouts/${rolloutId}/abort`, {});
  const result = await running;
  return {
    ms: quantiles(seen.map((c) => c.stampedToSeenMs)),
    idleMs: quantiles(idle.map((c) => c.stampedToSeenMs)),
    notifiedMs: quantiles(seen.map((c) => c.notifiedToSeenMs)),
    sentMs: quantiles(seen.map((c) => c.sentToSeenMs)),
    adminMs: quantiles(seen.map((c) => c.adminMs)),
    lost,
    load: result,
    rssMb: { a: rssMb(a.pid), bWarm, bLoaded: rssMb(b.pid) },
  };
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
