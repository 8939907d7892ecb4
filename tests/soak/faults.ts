// Faults under load, on a PostgreSQL cluster of the script's own (tests/helpers/throwaway-postgres.ts,
// so stopping it harms nothing else) and the production server as a child process, with
// simulated users routing and reporting through the SDK the whole time.
//
// 1. PostgreSQL stopped for FAULTS_OUTAGE_S while a rollout's first stage runs:
//    - /api/route keeps answering 200 from the last snapshot, with `X-Canary-Snapshot: stale`
//      from at most FAULTS_STALE_DETECT_MS after the stop until the restart;
//    - /api/metrics answers 503 with Retry-After, and stores nothing it refused;
//    - the SDK keeps the outcomes (buffered) and delivers them after the restart;
//    - the controller takes the lead again and advances the rollout once the stage is done.
// 2. The app killed with SIGKILL at stage 2 of 3 and started again: the rollout is still at
//    stage 2 with the same stage start, and then advances to stage 3 on time.
// Afterwards everything the SDK delivered is stored (nothing failed or dropped), the rollups
// equal a recomputation from the raw outcomes, and the apps' logs have no error line but those
// the outage causes while it lasts. Exits 1 when any property fails.
import pg from "pg";
import { createSimulator } from "../../lib/demo/simulator";
import { startAppProcess, type AppProcess } from "../helpers/app-process";
import { createKey, migrate } from "../helpers/scratch-database";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../helpers/throwaway-postgres";
import { AdminApi, type RolloutView } from "./support/admin-api";
import { Checks, envNumber, handleHelp, int, machineLoad, ms, quantile, sleep, waitUntil } from "./support/checks";
import { checkErrorLines } from "./support/error-lines";
import { createMeter } from "./support/metered-fetch";
import { probeMetrics, probeRoute, statusCounts, within } from "./support/probes";
import { checkStoredOutcomes, describeComparison } from "./support/rollup-check";
import { SOAK_CONFIGS, soakTraffic } from "./support/traffic";

handleHelp(`
node --import tsx tests/soak/faults.ts — PostgreSQL stopped under load, the app SIGKILLed mid-rollout (exit 1 when a property fails)
  FAULTS_OUTAGE_S          seconds PostgreSQL stays down (default 10)
  FAULTS_RPS               simulated route calls per second (default 60)
  FAULTS_STAGE2_S          the rollout's second stage minimum, seconds (default 30)
  FAULTS_STALE_DETECT_MS   longest allowed time from the stop to the first stale route answer (default 2000)
  FAULTS_TICK_MS           the app's LLM_CANARY_CONTROLLER_TICK_MS (default 1000)
  FAULTS_PORT              the app's port (default 3461); the cluster takes a random port in 55000-59999
  FAULTS_LATE_RATINGS=1    also send late ratings (feedback) through the faults; counted and printed, not checked
The cluster runs on the PostgreSQL binaries npm installs (lib/db/postgres-cluster.ts), like the embedded database.`);

const OUTAGE_S = envNumber("FAULTS_OUTAGE_S", 10);
const RPS = envNumber("FAULTS_RPS", 60);
const STAGE2_S = envNumber("FAULTS_STAGE2_S", 30);
const STALE_DETECT_MS = envNumber("FAULTS_STALE_DETECT_MS", 2_000);
const TICK_MS = envNumber("FAULTS_TICK_MS", 1_000);
const PORT = envNumber("FAULTS_PORT", 3461);
const CONFIG = "soak-chat"; // the rollout's config
const PROBE_CONFIG = "soak-docs"; // the metrics probe's (no rollout)
// Stage 1 ends (by time) while the database is down, so only a controller that works again after
// the restart can advance it; stage 2 outlasts the kill and the restart.
const STAGE1_S = OUTAGE_S + 4;

const checks = new Checks();

async function main(): Promise<void> {
  console.info(`faults: PostgreSQL down ${OUTAGE_S} s, ${RPS} route calls/s, controller tick ${TICK_MS} ms (${machineLoad()})`);
  const cluster = startThrowawayPostgres(55_000 + Math.floor(Math.random() * 5_000));
  let destroyed = false;
  const destroy = () => {
    if (!destroyed) cluster.destroy();
    destroyed = true;
  };
  process.on("exit", destroy); // also when the script is interrupted: the cluster must not outlive it
  let app: AppProcess | null = null;
  await checks.run(
    "faults",
    async () => {
      await migrate(cluster.url);
      const adminKey = await createKey(cluster.url, "faults operator", ["admin"]);
      const clientKey = await createKey(cluster.url, "faults traffic", ["route", "metrics"]);
      // Keeps `app` the running one, so the cleanup stops the app started again after the kill too.
      let starts = 0;
      const start = async () =>
        (app = await startAppProcess({
          databaseUrl: cluster.url,
          port: PORT,
          label: starts++ ? "app (restarted)" : "app",
          env: { LLM_CANARY_CONTROLLER_TICK_MS: String(TICK_MS) },
        }));
      const first = await start();
      const api = new AdminApi(first.baseUrl, `Bearer ${adminKey}`);
      const v1 = await api.createConfigs(SOAK_CONFIGS.map((c) => c.key));
      const canaryId = await api.createVersion(CONFIG, "v2");
      await scenario({ cluster, app: first, start, api, clientKey, canaryId, probeVersionId: v1[PROBE_CONFIG] });
    },
    async () => {
      await app?.stop();
      destroy();
    },
  );
}

interface Scenario {
  cluster: ThrowawayPostgres;
  app: AppProcess;
  start: () => Promise<AppProcess>;
  api: AdminApi;
  clientKey: string;
  canaryId: string;
  probeVersionId: string;
}

async function scenario(s: Scenario): Promise<void> {
  const first = s.app;
  let app = first;
  const auth = `Bearer ${s.clientKey}`;
  const meter = createMeter();
  const simulator = createSimulator({ baseUrl: app.baseUrl, apiKey: s.clientKey, traffic: soakTraffic(RPS, SOAK_CONFIGS, process.env.FAULTS_LATE_RATINGS === "1"), users: 2_000, fetch: meter.fetch, onError: () => undefined });
  simulator.start();
  // Every config answered stable at least once: the SDK has a last answer to fall back on.
  const fallbacks = await waitUntil(async () => (SOAK_CONFIGS.every((c) => meter.stableAnswered.has(c.key)) ? true : null), 30_000);
  if (!fallbacks) checks.fail("every config routed before the outage", `stable answers for ${[...meter.stableAnswered].join(", ") || "none"}`);

  const started = await s.api.startRollout(CONFIG, s.canaryId, {
    stages: [
      { percent: 10, minDurationSec: STAGE1_S, minSamples: 20 },
      { percent: 50, minDurationSec: STAGE2_S, minSamples: 20 },
      { percent: 100, minDurationSec: 3_600, minSamples: 20 },
    ],
  });
  if (started.status !== 201) checks.fail("start the rollout", `answered ${started.status}: ${JSON.stringify(started.body)}`);
  const rolloutId = started.body.id;
  // The outage starts once the app serves the rollout from its snapshot and its controller leads
  // (so "leads again" below is a recovery, not a first start).
  const served = await waitUntil(async () => ((await routingState(app, auth, CONFIG)).rollout?.id === rolloutId ? true : null), 10_000);
  if (!served) checks.fail("the app serves the rollout before the outage", "its routing state has no rollout 10 s after the start");
  await app
    .waitForLine(/controller: this instance leads/, { timeoutMs: 10_000 })
    .catch((error: Error) => checks.fail("the controller leads before the outage", error.message));

  // — 1. PostgreSQL down —
  const routeProbe = probeRoute(() => app.baseUrl, auth, CONFIG, "probe-user");
  const metricsProbe = probeMetrics(() => app.baseUrl, auth, PROBE_CONFIG, s.probeVersionId, "outage-probe", 500);
  const linesBefore = app.lines.length;
  let t = performance.now();
  s.cluster.stop(); // synchronous: this process (simulator, probes) stands still meanwhile
  const stopped = performance.now();
  console.info(`PostgreSQL stopped (pg_ctl stop took ${ms(stopped - t)}); down for ${OUTAGE_S} s under load`);
  let maxBuffered = 0;
  let deliveredBefore = -1; // a second after the stop: a batch answered just before it may be counted late
  while (performance.now() - stopped < OUTAGE_S * 1000) {
    await sleep(250);
    const d = simulator.counters().delivery;
    maxBuffered = Math.max(maxBuffered, d.buffered + d.inFlight);
    if (deliveredBefore < 0 && performance.now() - stopped >= 1_000) deliveredBefore = d.delivered;
  }
  const deliveredDuring = simulator.counters().delivery.delivered - deliveredBefore;
  t = performance.now();
  s.cluster.start();
  const restarted = performance.now();
  console.info(`PostgreSQL started again (pg_ctl start took ${ms(restarted - t)}); SDK held up to ${int(maxBuffered)} outcomes`);

  const live = await waitUntil(async () => within(routeProbe.samples, restarted, Infinity).find((x) => x.status === 200 && !x.stale)?.at ?? null, 30_000, 50);
  const metricsBack = await waitUntil(async () => within(metricsProbe.samples, restarted, Infinity).find((x) => x.status === 202)?.at ?? null, 30_000, 50);
  const drained = await waitUntil(async () => {
    const c = simulator.counters();
    return c.delivery.buffered + c.delivery.inFlight < 100 && c.delivery.delivered > deliveredBefore + 50 ? performance.now() : null;
  }, 60_000, 100);
  const leadsAgain = await app.waitForLine(/this instance leads/, { from: linesBefore, timeoutMs: 30_000 }).catch(() => null);
  const advanced = await waitUntil(async () => {
    const r = await s.api.rollout(rolloutId);
    return r.currentStage >= 1 || r.status !== "running" ? r : null;
  }, 30_000 + STAGE1_S * 1000, 250);
  const advancedAt = performance.now();
  await routeProbe.stop();
  await metricsProbe.stop();

  const during = within(routeProbe.samples, stopped, restarted);
  const firstStale = during.find((x) => x.stale);
  const staleFrom = firstStale ? firstStale.at : restarted;
  const metricsDuring = within(metricsProbe.samples, stopped, restarted);
  const refused = metricsDuring.filter((x) => x.status === 503);
  console.info(`route during the outage: ${statusCounts(during)}; first stale answer ${ms(staleFrom - stopped)} after the stop; p99 ${ms(quantile(during.map((x) => x.ms), 0.99))}`);
  console.info(`metrics during the outage: ${statusCounts(metricsDuring)}; Retry-After ${[...new Set(refused.map((x) => x.retryAfter))].join(", ")}; SDK's own batches: ${meter.describe("/api/metrics")}`);
  console.info(
    `recovery after the restart: route live after ${ms((live ?? NaN) - restarted)}, metrics 202 after ${ms((metricsBack ?? NaN) - restarted)}, ` +
      `SDK backlog delivered after ${ms((drained ?? NaN) - restarted)}, controller leads again after ${ms((leadsAgain?.at ?? NaN) - restarted)}, ` +
      `rollout at stage 2 after ${ms(advancedAt - restarted)}`,
  );
  checks.expect("route answers 200 throughout the outage", during.length > 0 && during.every((x) => x.status === 200), statusCounts(during));
  checks.expect(
    "route answers carry the stale header from soon after the stop until the restart",
    staleFrom - stopped <= STALE_DETECT_MS && during.filter((x) => x.at >= staleFrom).every((x) => x.stale),
    `first stale answer ${ms(staleFrom - stopped)} after the stop (limit ${STALE_DETECT_MS} ms); ${during.filter((x) => x.at >= staleFrom && !x.stale).length} live-looking answers after it`,
  );
  checks.expect(
    "metrics answer 503 with Retry-After during the outage",
    refused.length > 0 && metricsDuring.every((x) => x.status === 503 && /^\d+$/.test(x.retryAfter ?? "")),
    `${statusCounts(metricsDuring)}; Retry-After values ${[...new Set(metricsDuring.map((x) => x.retryAfter))].join(", ")}`,
  );
  checks.expect("the SDK buffered during the outage", maxBuffered > 0 && deliveredDuring === 0, `up to ${maxBuffered} held, ${deliveredDuring} delivered while down`);
  checks.expect("route is live again after the restart", live !== null, live ? `after ${ms(live - restarted)}` : "still stale 30 s after the restart");
  checks.expect("the SDK delivers its backlog after the restart", drained !== null, drained ? `after ${ms(drained - restarted)}` : "not within 60 s");
  checks.expect("the controller leads again after the restart", leadsAgain !== null, leadsAgain ? `after ${ms(leadsAgain.at - restarted)}` : "no 'this instance leads' line");
  const atStage2 = checks.expect(
    "the controller advances the rollout after the restart",
    advanced?.status === "running" && advanced.currentStage === 1,
    advanced ? `${advanced.status} at stage ${advanced.currentStage + 1}, ${ms(advancedAt - restarted)} after the restart` : "still at stage 1",
  );
  if (!atStage2) checks.fail("continue to the SIGKILL phase", "the rollout is not running at stage 2");

  // — 2. SIGKILL at stage 2 of 3 —
  // Killed once the app serves stage 2 (50 %) from its snapshot, not merely once the row says so.
  const atFifty = await waitUntil(async () => ((await routingState(app, auth, CONFIG)).rollout?.percent === 50 ? true : null), 10_000);
  if (!atFifty) checks.fail("the app serves stage 2 before the kill", "its routing state is not at 50 % 10 s after the advance");
  const before = await s.api.rollout(rolloutId);
  t = performance.now();
  await app.kill("SIGKILL");
  const killed = performance.now();
  console.info(`app SIGKILLed at stage ${before.currentStage + 1} (stage started ${before.stageStartedAt}), ${ms(killed - t)} to exit`);
  // Started again once PostgreSQL has noticed the killed app's connections closed, so the new
  // instance can take the controller's lock (the killed one's session held it).
  const gone = await waitUntil(async () => ((await otherSessions(s.cluster.url)) === 0 ? true : null), 30_000, 50);
  if (!gone) checks.fail("the killed app's database sessions end", "still open 30 s after the kill");
  app = await s.start();
  const up = performance.now();
  const after = await s.api.rollout(rolloutId);
  console.info(`app started again in ${ms(up - killed)}; rollout ${after.status} at stage ${after.currentStage + 1}, stage started ${after.stageStartedAt}`);
  checks.expect(
    "after the restart the rollout is where it was",
    after.status === "running" && after.currentStage === before.currentStage && after.stageStartedAt === before.stageStartedAt,
    `before: ${describe(before)}; after: ${describe(after)}`,
  );
  const stageEnds = Date.parse(before.stageStartedAt) + STAGE2_S * 1000;
  const third = await waitUntil(async () => {
    const r = await s.api.rollout(rolloutId);
    return r.currentStage >= 2 || r.status !== "running" ? r : null;
  }, Math.max(0, stageEnds - Date.now()) + 20_000, 250);
  const lateBy = Date.now() - stageEnds;
  checks.expect(
    "the rollout continues to stage 3 after its stage 2 minimum",
    third?.status === "running" && third.currentStage === 2 && third.stageStartedAt !== before.stageStartedAt,
    third ? `${describe(third)}; ${(lateBy / 1000).toFixed(1)} s after stage 2's minimum ended` : "still at stage 2 20 s after its minimum",
  );

  // — everything delivered is stored —
  const counters = await simulator.stop();
  const d = counters.delivery;
  const store = await checkStoredOutcomes(s.cluster.url);
  const probeStored = await storedRequestIds(s.cluster.url, "outage-probe-%");
  const refusedButStored = metricsProbe.samples.filter((x) => x.status !== 202 && probeStored.has(x.requestId!));
  const acceptedNotStored = metricsProbe.samples.filter((x) => x.status === 202 && !probeStored.has(x.requestId!));
  const probeAccepted = metricsProbe.samples.filter((x) => x.status === 202).length;
  console.info(
    `SDK: reported ${int(counters.reported)}, delivered ${int(d.delivered)} (duplicates ${d.duplicates}), dropped ${d.dropped}, failed ${d.failed}; ` +
      `202 answers: Σ accepted ${int(meter.metrics.accepted)}, Σ duplicates ${int(meter.metrics.duplicates)}; simulator failures ${counters.failed} (${counters.lastError ?? "none"})`,
  );
  console.info(`route answers to the SDK: ${meter.describe("/api/route")}; stale ${meter.staleRoutes}`);
  if (process.env.FAULTS_LATE_RATINGS === "1") console.info(`late ratings: ${int(counters.feedback)} taken; answers ${meter.describe("/api/feedback")}`);
  checks.expect("the SDK lost nothing", d.dropped === 0 && d.failed === 0 && d.delivered === counters.reported, `reported ${int(counters.reported)}, delivered ${int(d.delivered)}, dropped ${d.dropped}, failed ${d.failed}`);
  checks.expect("everything delivered is stored", store.outcomes === d.delivered + probeAccepted, `stored ${int(store.outcomes)} = SDK delivered ${int(d.delivered)} + probe events accepted ${probeAccepted}?`);
  checks.expect("refused outcomes were not stored, accepted ones were", refusedButStored.length === 0 && acceptedNotStored.length === 0, `${refusedButStored.length} refused but stored, ${acceptedNotStored.length} accepted but missing`);
  for (const cmp of [store.minute, store.hour]) {
    checks.expect(`${cmp.unit} rollups = recomputation after the faults`, cmp.mismatches.length === 0, describeComparison(cmp));
  }
  await app.stop(); // a clean shutdown, so its log is complete when it is read
  checkErrorLines(checks, [first, app], [
    {
      pattern: /database unreachable|lost the change listener|controller: (pass failed|leadership lost)|alerts: delivery pass failed/,
      why: "PostgreSQL stopped, until the rollout advanced after the restart",
      from: stopped,
      until: advancedAt,
    },
  ]);
}

/** The app's GET /api/routing-state for one config: what its snapshot serves. */
async function routingState(app: AppProcess, auth: string, config: string): Promise<{ rollout: { id: string; percent: number } | null }> {
  const answer = await fetch(`${app.baseUrl}/api/routing-state?config=${config}`, { headers: { authorization: auth } });
  if (answer.status !== 200) throw new Error(`routing-state answered ${answer.status}`);
  return (await answer.json()) as { rollout: { id: string; percent: number } | null };
}

/** Client sessions in the cluster other than this query's own. */
async function otherSessions(url: string): Promise<number> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
    );
    return rows[0].n as number;
  } finally {
    await db.end();
  }
}

function describe(r: RolloutView): string {
  return `${r.status}, stage ${r.currentStage + 1} of ${r.stages.length}, started ${r.stageStartedAt}, revision ${r.revision}`;
}

async function storedRequestIds(url: string, like: string): Promise<Set<string>> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return new Set((await db.query("SELECT request_id FROM outcomes WHERE request_id LIKE $1", [like])).rows.map((r) => r.request_id as string));
  } finally {
    await db.end();
  }
}

void main();
