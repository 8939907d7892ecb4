// Soak: load with nothing lost. The production server (`npm start`'s command) on a scratch
// database of a real PostgreSQL server; simulated users of three configs route, report
// outcomes and send late ratings through the SDK for SOAK_DURATION_S, while operators start,
// pause, resume, advance, promote, roll back, abort and revert rollouts through the admin API
// at random intervals and the controller judges and acts on its own. Afterwards:
//   - every outcome the server acknowledged (SDK `delivered`, Σ of the 202 answers) is stored,
//     and nothing was dropped or given up on the way;
//   - every late rating the server took is on its outcome;
//   - the per-minute and per-hour rollups equal a recomputation from the raw outcomes, row by
//     row (integers exact, float sums to 1e-9 relative);
//   - no client API call failed, no admin call answered anything but 200/201/409, no action with
//     a stale revision succeeded, and each config row agrees with its active rollout;
//   - the app's log has no error line (tests/soak/support/error-lines.ts).
// Prints /api/route p50/p99 (measured by the client, which shares the 2 cores with the server)
// and the counts behind each property. Exits 1 when any property fails.
import { createSimulator } from "../../lib/demo/simulator";
import { rng } from "../../lib/demo/random";
import { startAppProcess, type AppProcess } from "../helpers/app-process";
import { createKey, createScratchDatabase, type ScratchDatabase } from "../helpers/scratch-database";
import { AdminApi } from "./support/admin-api";
import { Checks, SCRATCH_SERVER_URL, envNumber, handleHelp, int, machineLoad, ms, quantile, sleep } from "./support/checks";
import { createMeter } from "./support/metered-fetch";
import { startOperators, type OperatorReport } from "./support/operator";
import { checkErrorLines } from "./support/error-lines";
import { checkStoredOutcomes, countLateRatings, describeComparison } from "./support/rollup-check";
import { checkReleaseState } from "./support/state-check";
import { SOAK_CONFIGS, soakTraffic } from "./support/traffic";

handleHelp(`
node --import tsx tests/soak/soak.ts — load with nothing lost (exit 1 when a property fails)
  SOAK_DURATION_S        seconds of load (default 180)
  SOAK_RPS               simulated route calls per second over all configs (default 150)
  SOAK_OPERATORS         operators acting concurrently (default 2)
  SOAK_OPERATOR_PAUSE_MS mean pause between one operator's actions (default 3000)
  SOAK_TICK_MS           the app's LLM_CANARY_CONTROLLER_TICK_MS (default 2000)
  SOAK_PORT              the app's port (default 3451)
  SOAK_SEED              simulator seed (default 1)
  SOAK_KEEP_DB=1         keep the scratch database when a property fails (its name is printed)
  BENCH_DATABASE_URL     the local PostgreSQL server to create the scratch database on
                         (default postgresql://postgres@127.0.0.1:5432/postgres)`);

const DURATION_S = envNumber("SOAK_DURATION_S", 180);
const RPS = envNumber("SOAK_RPS", 150);
const OPERATORS = envNumber("SOAK_OPERATORS", 2);
const OPERATOR_PAUSE_MS = envNumber("SOAK_OPERATOR_PAUSE_MS", 3_000);
const TICK_MS = envNumber("SOAK_TICK_MS", 2_000);
const PORT = envNumber("SOAK_PORT", 3451);
const SEED = envNumber("SOAK_SEED", 1);
// Short stages, so the controller advances, promotes and rolls back during the run as well.
const STAGES = [
  { percent: 10, minDurationSec: 10, minSamples: 20 },
  { percent: 50, minDurationSec: 10, minSamples: 40 },
  { percent: 100, minDurationSec: 10, minSamples: 60 },
];

const checks = new Checks();

async function main(): Promise<void> {
  console.info(`soak: ${DURATION_S} s, ${RPS} route calls/s over ${SOAK_CONFIGS.length} configs, ${OPERATORS} operators, controller tick ${TICK_MS} ms (${machineLoad()})`);
  let database: ScratchDatabase | null = null;
  let app: AppProcess | null = null;
  await checks.run(
    "soak",
    async () => {
      database = await createScratchDatabase(SCRATCH_SERVER_URL);
      const adminKey = await createKey(database.url, "soak operators", ["admin"]);
      const clientKey = await createKey(database.url, "soak traffic", ["route", "metrics"]);
      app = await startAppProcess({ databaseUrl: database.url, port: PORT, label: "app", env: { LLM_CANARY_CONTROLLER_TICK_MS: String(TICK_MS) } });
      const api = new AdminApi(app.baseUrl, `Bearer ${adminKey}`);
      await api.createConfigs(SOAK_CONFIGS.map((c) => c.key));
      await run(app, api, clientKey, database.url);
    },
    async () => {
      await app?.stop();
      if (database && checks.failed.length && process.env.SOAK_KEEP_DB === "1") console.info(`kept the scratch database for inspection: ${database.url}`);
      else await database?.drop();
    },
  );
}

async function run(app: AppProcess, api: AdminApi, clientKey: string, databaseUrl: string): Promise<void> {
  const meter = createMeter();
  const sdkErrors = new Map<string, number>();
  const simulator = createSimulator({
    baseUrl: app.baseUrl,
    apiKey: clientKey,
    traffic: soakTraffic(RPS),
    users: 5_000,
    seed: SEED,
    fetch: meter.fetch,
    onError: (error) => {
      const code = (error as { code?: string }).code ?? error.name;
      sdkErrors.set(code, (sdkErrors.get(code) ?? 0) + 1);
    },
  });
  const operators = startOperators(api, { configs: SOAK_CONFIGS.map((c) => c.key), count: OPERATORS, meanPauseMs: OPERATOR_PAUSE_MS, stages: STAGES, random: rng(SEED + 1) });
  const started = performance.now();
  simulator.start();
  for (let elapsed = 0; elapsed < DURATION_S; ) {
    const step = Math.min(10, DURATION_S - elapsed);
    await sleep(step * 1000);
    elapsed += step;
    const c = simulator.counters();
    const recent = meter.routeLatencies.slice(-2_000);
    console.info(
      `  ${String(elapsed).padStart(4)} s  route calls ${int(c.sent)}  p99 (last 2,000) ${ms(quantile(recent, 0.99))}  delivered ${int(c.delivery.delivered)}  ` +
        `buffered ${c.delivery.buffered + c.delivery.inFlight}  ratings ${int(c.feedback)}  failed ${c.failed}${app.exited ? "  APP EXITED" : ""}`,
    );
    if (app.exited) checks.fail("the app stays up", `it exited during the run:\n${app.tail()}`);
  }
  const operatorReport = await operators.stop();
  const counters = await simulator.stop();
  const seconds = (performance.now() - started) / 1000;
  const appAlive = !app.exited;
  await app.stop(); // a clean shutdown, so its log is complete when it is read below

  const store = await checkStoredOutcomes(databaseUrl);
  const ratings = await countLateRatings(databaseUrl);
  const state = await checkReleaseState(databaseUrl);
  const d = counters.delivery;

  console.info(`\n— numbers (${seconds.toFixed(0)} s) —`);
  console.info(`route calls ${int(counters.sent)} (${(counters.sent / seconds).toFixed(1)}/s; ${int(counters.skipped)} skipped at the in-flight cap); answers ${meter.describe("/api/route")}`);
  console.info(`route latency from the client: p50 ${ms(quantile(meter.routeLatencies, 0.5))}, p99 ${ms(quantile(meter.routeLatencies, 0.99))}, max ${ms(Math.max(...meter.routeLatencies))}`);
  console.info(`metrics: ${int(meter.metrics.batches)} batches answered 202, Σ accepted ${int(meter.metrics.accepted)}, Σ duplicates ${int(meter.metrics.duplicates)}; answers ${meter.describe("/api/metrics")}`);
  console.info(`SDK: reported ${int(counters.reported)}, delivered ${int(d.delivered)} (duplicates ${d.duplicates}), dropped ${d.dropped}, failed ${d.failed}, still buffered ${d.buffered + d.inFlight}`);
  console.info(`feedback: ${int(counters.feedback)} late ratings taken; answers ${meter.describe("/api/feedback")}; SDK errors ${JSON.stringify(Object.fromEntries(sdkErrors))}`);
  console.info(`stored: ${int(store.outcomes)} outcomes, ${int(ratings.late)} rated late; rollup rows: ${store.minute.storedRows} per minute, ${store.hour.storedRows} per hour`);
  const mixed = [...store.minute.mixedVariants, ...store.hour.mixedVariants];
  console.info(`rollup rows outside a rollout whose outcomes carry both variants (a promotion or revert within the minute/hour): ${mixed.length}${mixed.length ? ` — ${mixed.slice(0, 4).join("; ")}` : ""}`);
  printOperators(operatorReport);
  console.info(`rollouts: ${JSON.stringify(state.rolloutsByStatus)}; rollout actions by actor: ${JSON.stringify(state.actions)}`);
  console.info("");

  checks.expect("the app stays up", appAlive, appAlive ? `pid ${app.pid} served the whole run` : app.tail());
  checks.expect("every route call answered 200", meter.unexpected("/api/route", [200]) === 0, meter.describe("/api/route"));
  checks.expect("every metrics batch answered 202", meter.unexpected("/api/metrics", [202]) === 0, meter.describe("/api/metrics"));
  checks.expect("every rating answered 202", meter.unexpected("/api/feedback", [202]) === 0, meter.describe("/api/feedback"));
  checks.expect("the simulator saw no failure", counters.failed === 0, `${counters.failed} failed (last: ${counters.lastError ?? "none"})`);
  checks.expect("the SDK dropped and gave up nothing", d.dropped === 0 && d.failed === 0 && d.buffered + d.inFlight === 0, `dropped ${d.dropped}, failed ${d.failed}, left ${d.buffered + d.inFlight}`);
  checks.expect("everything reported was acknowledged", d.delivered === counters.reported, `reported ${int(counters.reported)}, delivered ${int(d.delivered)}`);
  checks.expect(
    "the 202 answers acknowledge what the SDK counts",
    meter.metrics.accepted + meter.metrics.duplicates === d.delivered && meter.metrics.duplicates === d.duplicates,
    `Σ accepted ${int(meter.metrics.accepted)} + Σ duplicates ${int(meter.metrics.duplicates)} vs delivered ${int(d.delivered)}`,
  );
  checks.expect("accepted = stored", store.outcomes === d.delivered && meter.metrics.accepted === store.outcomes, `accepted ${int(meter.metrics.accepted)}, stored ${int(store.outcomes)}`);
  checks.expect("every late rating taken is stored", ratings.late === counters.feedback && ratings.replaced === 0, `taken ${int(counters.feedback)}, stored ${int(ratings.late)}, replaced ${ratings.replaced}`);
  checks.expect("stored latency buckets match latency_ms", store.badBuckets === 0, `${store.badBuckets} (latency_ms, bucket) pairs off`);
  for (const cmp of [store.minute, store.hour]) {
    checks.expect(`${cmp.unit} rollups = recomputation from raw outcomes`, cmp.mismatches.length === 0, describeComparison(cmp));
  }
  checks.expect("admin calls answer 200, 201 or 409 only", operatorReport.unexpected.length === 0, operatorReport.unexpected.slice(0, 5).join(" | ") || "none other");
  checks.expect("no action with a stale revision succeeded", operatorReport.staleAccepted.length === 0, operatorReport.staleAccepted.slice(0, 5).join(" | ") || "none");
  checks.expect("operators started rollouts", operatorReport.rolloutsStarted > 0, `${operatorReport.rolloutsStarted} started`);
  checks.expect("config rows agree with their active rollouts", state.problems.length === 0, state.problems.join(" | ") || "all agree");
  checkErrorLines(checks, [app]);
}

function printOperators(report: OperatorReport): void {
  const calls = [...report.calls].map(([action, byStatus]) => `${action} ${[...byStatus].map(([s, n]) => `${s}×${n}`).join("/")}`).join(", ");
  console.info(`admin calls: ${calls}; latency p50 ${ms(quantile(report.latencies, 0.5))}, p99 ${ms(quantile(report.latencies, 0.99))}`);
}

void main();
