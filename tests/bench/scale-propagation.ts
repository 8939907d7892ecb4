// bench:scale's propagation: routing changes committed through the admin API of instance A, each
// timed until instance B's /api/route answers with it, before and during a /api/route load on B.
import pg from "pg";
import { CHANGE_CHANNEL } from "../../lib/change-notify";
import { load, type LoadResult, type Running } from "./harness";
import { quantiles, rssMb, type Probe, type Quantiles } from "./scale-measure";

const PROBE_USER = "probe-user";
/** Changes timed before the load begins (an even number: each pair leaves the probe config without a rollout). */
const IDLE_CHANGES = 20;
/** The load's connections (BENCH_SCALE_CONNECTIONS): 50, as bench:route. */
const CONNECTIONS = Number(process.env.BENCH_SCALE_CONNECTIONS ?? 50);

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

/** The /api/route load on B: CONNECTIONS connections over `configs`, 100,000 distinct users. */
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
