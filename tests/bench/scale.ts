// npm run bench:scale — LLM Canary with a large history on the PostgreSQL server: 5,000 configs
// with 100 versions and 20 ended rollouts each, 10,000 API keys and 50 M outcomes over 30 days in
// the day partitions, with their keys and rollups (scale-history.ts, scale-outcomes.ts; set-based
// SQL). Measured in the same run on it, on an empty history (one config) and on the same configs
// and keys without their history (what memory must stay flat against): propagation of a routing
// change committed on instance A to instance B's /api/route answers while B serves a /api/route
// load; a full routing-snapshot load in this process (time, heap); the instances' resident memory;
// the report and series of a 14-day rollout; one retention pass that drops a day of outcomes, then
// ingest. SCALE_TARGETS below; exits 1 naming the targets missed. BENCH_SCALE_OUTCOMES changes the
// number of outcomes (e.g. 500000 while working on it); BENCH_SCALE_CHANGES the routing changes
// timed (100); BENCH_SCALE_CONNECTIONS the load's connections (50).
import { fmt, startApp, table, type Running } from "./harness";
import { ingestAfterDrop, measureReports, measureRetentionDrop, measureSnapshotLoad } from "./scale-measure";
import type { Quantiles, Reports, RetentionDrop, SnapshotLoad } from "./scale-measure";
import { measurePropagation, type Propagation } from "./scale-propagation";
import { prepareEmpty, prepareNoHistory, prepareScale, type Prepared } from "./scale-setup";
import { CONFIGS, LATEST_DAYS, ROLLOUTS, rolloutId } from "./scale-timeline";
import { checkTargets, type Measured, type Target } from "./targets";

const OUTCOMES = Number(process.env.BENCH_SCALE_OUTCOMES ?? 50_000_000);
const CHANGES = Number(process.env.BENCH_SCALE_CHANGES ?? 100);
/** Long enough for every change to be timed under load (each takes tens of ms, then a 50 ms pause). */
const LOAD_S = Math.max(30, Math.ceil(CHANGES * 0.4));
/** "Unchanged within noise": at scale at most this many times the empty history's figure (or the absolute target, if higher). */
const NOISE = 1.5;
const RSS_FLAT_MB = 50;
/** The snapshot holds each config's few latest rollouts besides what it holds without history: a few MB for 5,000 configs. */
const HEAP_FLAT_MB = 10;
const EVENTS_AFTER_DROP = 500;

const SCALE_TARGETS = {
  propagation: { name: "propagation p99 at scale", unit: "ms", bound: "max", limit: 100, digits: 1, env: "BENCH_SCALE_MAX_PROPAGATION_MS" },
  propagationFlat: { name: `propagation p99 at scale ≤ max(100 ms, ${NOISE} × empty history's)`, unit: "ms", bound: "max", limit: 0, digits: 1 },
  timed: { name: "changes timed under load, each history", unit: "", bound: "min", limit: CHANGES },
  unseen: { name: "changes instance B never answered (5 s), every history", unit: "", bound: "max", limit: 0 },
  routeFailed: { name: "failed /api/route requests of the load, every history", unit: "", bound: "max", limit: 0 },
  rss: { name: "instance B (the /api/route load) resident memory at scale, after the load", unit: "MB", bound: "max", limit: 400, env: "BENCH_SCALE_MAX_RSS_MB" },
  rssA: { name: "instance A (the admin API's changes) resident memory at scale, after them", unit: "MB", bound: "max", limit: 400, env: "BENCH_SCALE_MAX_RSS_MB" },
  rssFlat: { name: `instance B resident memory at scale ≤ the same configs' and keys' without history + ${RSS_FLAT_MB} MB`, unit: "MB", bound: "max", limit: 0 },
  rssFlatA: { name: `instance A resident memory at scale ≤ the same configs' and keys' without history + ${RSS_FLAT_MB} MB`, unit: "MB", bound: "max", limit: 0 },
  heapFlat: { name: `snapshot store heap at scale ≤ the same configs' and keys' without history + ${HEAP_FLAT_MB} MB`, unit: "MB", bound: "max", limit: 0, digits: 1 },
  report: { name: `report p99, ${LATEST_DAYS}-day rollout`, unit: "ms", bound: "max", limit: 300, digits: 1, env: "BENCH_SCALE_MAX_REPORT_MS" },
  series: { name: `series p99, ${LATEST_DAYS}-day rollout`, unit: "ms", bound: "max", limit: 300, digits: 1, env: "BENCH_SCALE_MAX_SERIES_MS" },
  reportCounts: { name: "report requests differing from a count of the rollout's outcomes", unit: "", bound: "max", limit: 0 },
  drop: { name: "DETACH + DROP of a day's outcome partition at scale", unit: "ms", bound: "max", limit: 1_000, digits: 1, env: "BENCH_SCALE_MAX_DROP_MS" },
  droppedDays: { name: "outcome days dropped by the pass a day ahead, at scale", unit: "", bound: "min", limit: 1 },
  ingestLost: { name: "events sent after the drop and not stored, every history", unit: "", bound: "max", limit: 0 },
} satisfies Record<string, Target>;

interface SideResult {
  name: string;
  snapshot: SnapshotLoad;
  propagation: Propagation;
  reports: Reports;
  /** Outcomes of the report's rollout per variant, counted from the outcomes table. */
  counted: { stable: number; canary: number };
  drop: RetentionDrop;
  /** Accepted and then found stored, of EVENTS_AFTER_DROP sent after the drop. */
  ingest: { accepted: number; stored: number };
}

async function measureSide(name: string, prepared: Prepared, ports: [number, number], reportRollout: (p: Prepared) => Promise<string>): Promise<SideResult> {
  const { db, probe, database } = prepared;
  console.info(`\n${name}: snapshot load in this process`);
  const snapshot = await measureSnapshotLoad(db);
  const apps: Running[] = [];
  try {
    apps.push(await startApp(database.url, ports[0]));
    apps.push(await startApp(database.url, ports[1]));
    const [a, b] = apps;
    console.info(`${name}: ${CHANGES} routing changes on A, watched on B under /api/route load (${LOAD_S} s)`);
    const propagation = await measurePropagation(database.url, a, b, probe, prepared.loadConfigs, CHANGES, LOAD_S);
    console.info(`${name}: report and series`);
    const rollout = await reportRollout(prepared);
    const reports = await measureReports(a, probe, rollout);
    const rows = await db.query<{ variant: "stable" | "canary"; n: number }>(
      `SELECT variant::text AS variant, count(*)::int AS n FROM outcomes WHERE rollout_id = $1 GROUP BY variant`,
      [rollout],
    );
    const counted = { stable: rows.find((r) => r.variant === "stable")?.n ?? 0, canary: rows.find((r) => r.variant === "canary")?.n ?? 0 };
    console.info(`${name}: retention pass a day ahead, then ingest`);
    const drop = await measureRetentionDrop(db);
    const prefix = `after-drop-${Date.now()}`;
    const accepted = await ingestAfterDrop(a, probe, prefix, EVENTS_AFTER_DROP);
    const [{ n: stored }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outcomes WHERE request_id LIKE $1`, [`${prefix}-%`]);
    return { name, snapshot, propagation, reports, counted, drop, ingest: { accepted, stored } };
  } finally {
    for (const app of apps) await app.stop();
  }
}

/** The last rollout the bench started (and aborted) on the probe config: the empty history has no other. */
async function lastProbeRollout(p: Prepared): Promise<string> {
  const [row] = await p.db.query<{ id: string }>(
    `SELECT r.id FROM rollouts r JOIN configs c ON c.id = r.config_id WHERE c.key = $1 ORDER BY r.created_at DESC LIMIT 1`,
    [p.probe.configKey],
  );
  return row.id;
}

async function withPrepared(prepare: () => Promise<Prepared>, measure: (p: Prepared) => Promise<SideResult>): Promise<SideResult> {
  const prepared = await prepare();
  try {
    return await measure(prepared);
  } finally {
    await prepared.db.close();
    await prepared.database.drop();
  }
}

const ms = (q: Quantiles) => `${fmt(q.p50, 1)} / ${fmt(q.p99, 1)}`;

function report(empty: SideResult, flat: SideResult, scale: SideResult, generation: string[]): void {
  console.info(`\nbench:scale — empty history vs ${fmt(CONFIGS)} configs, ${fmt(OUTCOMES)} outcomes (p50 / p99 in ms)`);
  for (const line of generation) console.info(line);
  const row = (label: string, pick: (r: SideResult) => string) => [label, pick(empty), pick(flat), pick(scale)];
  const p = (r: SideResult) => r.propagation;
  console.info(
    "\n" +
      table([
        ["", "empty history", "configs + keys, no history", "at scale"],
        row("propagation: change stamped in its transaction on A → B answers it", (r) => ms(p(r).ms)),
        row("  change's notification heard here → B answers it", (r) => ms(p(r).notifiedMs)),
        row("  stamped → B answers, B idle (before the load)", (r) => ms(p(r).idleMs)),
        row("  change sent to A's admin API → B answers it", (r) => ms(p(r).sentMs)),
        row("  the admin request on A alone (sent → answered)", (r) => ms(p(r).adminMs)),
        row("  changes timed", (r) => fmt(p(r).ms.n)),
        row("/api/route load on B meanwhile, req/s", (r) => fmt(p(r).load.requests.average)),
        row("/api/route load on B, p99 ms", (r) => fmt(p(r).load.latency.p99, 1)),
        row("full snapshot load in-process: first (start)", (r) => `${fmt(r.snapshot.firstMs, 1)}`),
        row("full snapshot reload", (r) => ms(r.snapshot.reload)),
        row("heap held by the loaded snapshot store, MB", (r) => fmt(r.snapshot.heapMb, 1)),
        row("  most heap in use during a full reload (above before), MB", (r) => fmt(r.snapshot.peakHeapMb, 1)),
        row("RSS instance A (after the changes), MB", (r) => fmt(p(r).rssMb.a)),
        row("RSS instance B after warm-up, MB", (r) => fmt(p(r).rssMb.bWarm)),
        row("RSS instance B after the load, MB", (r) => fmt(p(r).rssMb.bLoaded)),
        row("GET …/report of the rollout", (r) => ms(r.reports.report)),
        row("GET …/series of the rollout", (r) => ms(r.reports.series)),
        row("  rollout requests stable / canary", (r) => `${fmt(r.reports.requests.stable)} / ${fmt(r.reports.requests.canary)}`),
        row("retention pass a day ahead, total ms", (r) => fmt(r.drop.passMs, 1)),
        row("  DETACH + DROP of the outcome day, ms", (r) => fmt(r.drop.outcomeDropMs, 1)),
        row("  outcome keys deleted / ms", (r) => `${fmt(r.drop.keysDeleted)} / ${fmt(r.drop.keysMs, 1)}`),
        row("ingest after the drop: accepted / stored", (r) => `${fmt(r.ingest.accepted)} / ${fmt(r.ingest.stored)}`),
      ]),
  );
  console.info(`\ndropped at scale: ${scale.drop.dropped.join(", ") || "nothing"}`);
  /** Summed over the three histories. */
  const summed = (f: (r: SideResult) => number) => f(empty) + f(flat) + f(scale);
  const flatLimit = Math.max(SCALE_TARGETS.propagation.limit, NOISE * empty.propagation.ms.p99);
  const rssLimit = flat.propagation.rssMb.bLoaded + RSS_FLAT_MB;
  const measured: Measured[] = [
    { target: SCALE_TARGETS.propagation, value: scale.propagation.ms.p99, detail: `empty history ${fmt(empty.propagation.ms.p99, 1)} ms` },
    { target: { ...SCALE_TARGETS.propagationFlat, limit: flatLimit }, value: scale.propagation.ms.p99 },
    { target: SCALE_TARGETS.timed, value: Math.min(...[empty, flat, scale].map((r) => r.propagation.ms.n + r.propagation.lost)) },
    { target: SCALE_TARGETS.unseen, value: summed((r) => r.propagation.lost) },
    { target: SCALE_TARGETS.routeFailed, value: summed((r) => r.propagation.load.non2xx + r.propagation.load.errors) },
    { target: SCALE_TARGETS.rss, value: scale.propagation.rssMb.bLoaded, detail: `empty history ${fmt(empty.propagation.rssMb.bLoaded)} MB` },
    { target: SCALE_TARGETS.rssA, value: scale.propagation.rssMb.a, detail: `empty history ${fmt(empty.propagation.rssMb.a)} MB` },
    { target: { ...SCALE_TARGETS.rssFlat, limit: rssLimit }, value: scale.propagation.rssMb.bLoaded },
    { target: { ...SCALE_TARGETS.rssFlatA, limit: flat.propagation.rssMb.a + RSS_FLAT_MB }, value: scale.propagation.rssMb.a },
    { target: { ...SCALE_TARGETS.heapFlat, limit: flat.snapshot.heapMb + HEAP_FLAT_MB }, value: scale.snapshot.heapMb },
    { target: SCALE_TARGETS.report, value: scale.reports.report.p99, detail: `p50 ${fmt(scale.reports.report.p50, 1)} ms; empty history p99 ${fmt(empty.reports.report.p99, 1)} ms` },
    { target: SCALE_TARGETS.series, value: scale.reports.series.p99, detail: `p50 ${fmt(scale.reports.series.p50, 1)} ms; empty history p99 ${fmt(empty.reports.series.p99, 1)} ms` },
    {
      target: SCALE_TARGETS.reportCounts,
      value: summed((r) => Math.abs(r.reports.requests.stable - r.counted.stable) + Math.abs(r.reports.requests.canary - r.counted.canary)),
      detail: `at scale counted ${fmt(scale.counted.stable)} stable, ${fmt(scale.counted.canary)} canary`,
    },
    { target: SCALE_TARGETS.drop, value: scale.drop.outcomeDropMs, detail: `empty history ${fmt(empty.drop.outcomeDropMs, 1)} ms` },
    { target: SCALE_TARGETS.droppedDays, value: scale.drop.dropped.filter((name) => name.startsWith("outcomes_p")).length },
    { target: SCALE_TARGETS.ingestLost, value: summed((r) => EVENTS_AFTER_DROP - r.ingest.stored), detail: `accepted ${fmt(summed((r) => r.ingest.accepted))} of ${fmt(3 * EVENTS_AFTER_DROP)} sent` },
  ];
  checkTargets("bench:scale", measured);
}

/** Generation first, so the three histories are then measured minutes apart, in the same conditions of a shared machine. */
async function main(): Promise<void> {
  console.info(`generating ${fmt(OUTCOMES)} outcomes …`);
  const scale = await prepareScale(OUTCOMES, CONFIGS);
  try {
    const empty = await withPrepared(prepareEmpty, (p) => measureSide("empty history", p, [3421, 3422], lastProbeRollout));
    const flat = await withPrepared(() => prepareNoHistory(CONFIGS), (p) => measureSide("configs and keys without history", p, [3425, 3426], lastProbeRollout));
    const result = await measureSide("at scale", scale, [3423, 3424], async () => rolloutId(0, ROLLOUTS - 1));
    report(empty, flat, result, scale.generation);
  } finally {
    await scale.db.close();
    await scale.database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
