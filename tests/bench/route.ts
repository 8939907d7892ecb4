// npm run bench:route — /api/route on the production server against a bare node:http server
// answering a fixed body of the same size, driven by the same client (the same requests): 50
// connections, 100,000 distinct user ids. One row per scenario in SCENARIOS (a way of running the
// app, and the requests it gets), each held to its targets; exits 1 naming the targets missed.
// BENCH_ROUTE_ONLY=<text>: only the scenarios whose name contains it (case-insensitive), e.g.
// `BENCH_ROUTE_ONLY=template` while working on one; BENCH_PROFILE_DIR (harness.ts) adds a CPU profile.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DURATION_S, TEMPLATE_VALUES, createBenchDatabase, fmt, load, seed, startApp, startBare, table } from "./harness";
import type { LoadResult, Seeded } from "./harness";
import { renderRolloutPages, sendOutcomes } from "./report-load";
import { checkTargets, type Measured, type Target } from "./targets";

const USER_IDS = 100_000;
const APP_PORT = 3401;
const BARE_PORT = 3402;
/** Outcomes in the rollout whose page the console renders. */
const OUTCOMES = 50_000;

const ROUTE_TARGETS = {
  ratio: { name: "app / bare req/s", unit: "×", bound: "min", limit: 0.5, digits: 2, env: "BENCH_ROUTE_MIN_RATIO" },
  p99: { name: "app p99", unit: "ms", bound: "max", limit: 20, digits: 1, env: "BENCH_ROUTE_MAX_P99_MS" },
  failed: { name: "failed requests (non-2xx or errors)", unit: "", bound: "max", limit: 0 },
} satisfies Record<string, Target>;

// While the console renders reports, the database works hard on the same two cores, so /api/route
// gets less CPU: no throughput ratio is promised. What is promised is that it never waits on that
// work: requests do not stall behind a report (on the embedded PGlite of before, route's p90 was
// 110 ms and one request waited 1.18 s). The p99.9 says so without hanging on the single slowest
// request, which a GC pause or another process on the shared cores decides (printed as "max").
const UNDER_CONSOLE_TARGETS = {
  p99: { name: "app p99", unit: "ms", bound: "max", limit: 50, digits: 1, env: "BENCH_ROUTE_CONSOLE_MAX_P99_MS" },
  p999: { name: "app p99.9", unit: "ms", bound: "max", limit: 100, digits: 1, env: "BENCH_ROUTE_CONSOLE_MAX_P999_MS" },
  failed: ROUTE_TARGETS.failed,
} satisfies Record<string, Target>;

/** The app, started and seeded (configs `bench-chat` and `bench-template`, a key with the route scope). */
interface RunningApp {
  port: number;
  seeded: Seeded;
  /** Stops the app and removes its data. */
  stop(): Promise<void>;
}

/** What the load sends: GET for a config's plain answer, or POST with variables, whose answer renders the template. */
interface RouteLoad {
  config: "bench-chat" | "bench-template";
  variables?: Record<string, string>;
}
const PLAIN: RouteLoad = { config: "bench-chat" };
const RENDERED: RouteLoad = { config: "bench-template", variables: TEMPLATE_VALUES };

interface Scenario {
  /** Names the scenario's row and targets. */
  name: string;
  /** Default PLAIN. */
  load?: RouteLoad;
  start(port: number): Promise<RunningApp>;
  /** Other work the scenario puts on the app while /api/route is measured; resolves to its stop. */
  during?(app: RunningApp): Promise<() => Promise<string>>;
  /** The figures this scenario is held to. */
  targets(result: { bare: LoadResult; app: LoadResult }): Measured[];
}

const idleTargets = ({ bare, app }: { bare: LoadResult; app: LoadResult }): Measured[] => [
  {
    target: ROUTE_TARGETS.ratio,
    value: app.requests.average / bare.requests.average,
    detail: `${fmt(app.requests.average)} vs ${fmt(bare.requests.average)} req/s`,
  },
  { target: ROUTE_TARGETS.p99, value: app.latency.p99 },
  { target: ROUTE_TARGETS.failed, value: app.non2xx + app.errors, detail: `${app.non2xx} non-2xx, ${app.errors} errors` },
];

const underConsoleTargets = ({ app }: { app: LoadResult }): Measured[] => [
  { target: UNDER_CONSOLE_TARGETS.p99, value: app.latency.p99 },
  { target: UNDER_CONSOLE_TARGETS.p999, value: app.latency.p99_9 },
  { target: UNDER_CONSOLE_TARGETS.failed, value: app.non2xx + app.errors, detail: `${app.non2xx} non-2xx, ${app.errors} errors` },
];

/** The app on a scratch database of the PostgreSQL server (BENCH_DATABASE_URL). */
async function onServer(port: number): Promise<RunningApp> {
  const database = await createBenchDatabase();
  try {
    const seeded = await seed(database.url);
    const app = await startApp(database.url, port);
    return { port, seeded, stop: () => app.stop().finally(() => database.drop()) };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** The app as `npm start` runs it on a fresh machine: no DATABASE_URL, the embedded database. */
async function onEmbedded(port: number): Promise<RunningApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "llm-canary-bench-embedded-"));
  const remove = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    const app = await startApp({ embeddedDir: dataDir }, port);
    // Seeded beside the running app, the way the CLI works next to it; the app hears the change.
    const seeded = await seed({ embeddedDir: dataDir });
    await waitForRoute(port, seeded);
    return { port, seeded, stop: () => app.stop().finally(remove) };
  } catch (error) {
    remove();
    throw error;
  }
}

async function waitForRoute(port: number, seeded: Seeded): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const res = await fetch(`http://127.0.0.1:${port}/api/route?config=bench-chat&userId=probe`, { headers: { authorization: seeded.authorization } });
    await res.arrayBuffer();
    if (res.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the app did not route the seeded config within 10 s");
}

/** The console's rollout page rendered over and over while /api/route is measured. */
async function consoleRendering(app: RunningApp): Promise<() => Promise<string>> {
  await sendOutcomes(app.port, app.seeded, OUTCOMES);
  const pages = renderRolloutPages(app.port, app.seeded, 1);
  return async () => {
    const done = await pages.stop();
    if (done.failed) throw new Error(`${done.failed} console requests failed during the run`);
    return `${fmt(done.pages)} rollout pages rendered (report, series, samples, rollout; p50 ${fmt(done.p50Ms)} ms, max ${fmt(done.maxMs)} ms) over ${fmt(OUTCOMES)} outcomes`;
  };
}

const SCENARIOS: Scenario[] = [
  { name: "PostgreSQL server", start: onServer, targets: idleTargets },
  // The answer holds the template (5 messages, a tool) and its rendering for this request's
  // variables: rendered per request, everything else serialized once per snapshot.
  { name: "PostgreSQL server, rendered 5-message template (POST with variables)", load: RENDERED, start: onServer, targets: idleTargets },
  { name: "PostgreSQL server, console rendering reports", start: onServer, during: consoleRendering, targets: underConsoleTargets },
  { name: "embedded database, console rendering reports", start: onEmbedded, during: consoleRendering, targets: underConsoleTargets },
];

function drive(port: number, authorization: string, routeLoad: RouteLoad, duration = DURATION_S): Promise<LoadResult> {
  let n = 0;
  const { config, variables } = routeLoad;
  return load({
    url: `http://127.0.0.1:${port}`,
    connections: 50,
    duration,
    headers: { authorization },
    requests: [
      variables
        ? {
            method: "POST",
            path: "/api/route",
            headers: { "content-type": "application/json" },
            setupRequest: (request) => {
              n = (n + 1) % USER_IDS;
              request.body = JSON.stringify({ config, userId: `user-${n}`, variables });
              return request;
            },
          }
        : {
            method: "GET",
            setupRequest: (request) => {
              n = (n + 1) % USER_IDS;
              request.path = `/api/route?config=${config}&userId=user-${n}`;
              return request;
            },
          },
    ],
  });
}

/** The bare server answering bodies of `size` bytes to the same requests, measured once per size and load. */
const bareBySize = new Map<string, LoadResult>();
const bareKey = (size: number, routeLoad: RouteLoad) => `${size} bytes, ${routeLoad.variables ? "POST" : "GET"}`;
async function bareBaseline(size: number, authorization: string, routeLoad: RouteLoad): Promise<LoadResult> {
  const key = bareKey(size, routeLoad);
  const known = bareBySize.get(key);
  if (known) return known;
  const bare = await startBare(BARE_PORT, size);
  try {
    await drive(BARE_PORT, authorization, routeLoad, 3); // warm-up (JIT, connections)
    const result = await drive(BARE_PORT, authorization, routeLoad);
    bareBySize.set(key, result);
    return result;
  } finally {
    await bare.stop();
  }
}

/** One answer of the app to the scenario's requests; with variables it must hold the rendered messages. */
async function sampleAnswer(app: RunningApp, routeLoad: RouteLoad, name: string): Promise<string> {
  const { authorization } = app.seeded;
  const url = `http://127.0.0.1:${app.port}/api/route`;
  const sample = routeLoad.variables
    ? await fetch(url, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify({ config: routeLoad.config, userId: "user-1", variables: routeLoad.variables }) })
    : await fetch(`${url}?config=${routeLoad.config}&userId=user-1`, { headers: { authorization } });
  const text = await sample.text();
  if (sample.status !== 200) throw new Error(`${name}: the app answered ${sample.status}: ${text}`);
  const rendered = (JSON.parse(text) as { llm: { rendered?: unknown[] } }).llm.rendered;
  if (routeLoad.variables && !(Array.isArray(rendered) && rendered.length > 1)) throw new Error(`${name}: the answer has no rendered messages: ${text}`);
  return text;
}

interface ScenarioResult {
  scenario: Scenario;
  size: number;
  /** The bare row compared with. */
  bareName: string;
  bare: LoadResult;
  app: LoadResult;
  /** What the scenario's other work did meanwhile. */
  alongside: string | null;
}

async function measure(scenario: Scenario): Promise<ScenarioResult> {
  const routeLoad = scenario.load ?? PLAIN;
  const app = await scenario.start(APP_PORT);
  try {
    const { authorization } = app.seeded;
    const size = Buffer.byteLength(await sampleAnswer(app, routeLoad, scenario.name));
    const bare = await bareBaseline(size, authorization, routeLoad);
    await drive(app.port, authorization, routeLoad, 3); // warm-up
    const stopDuring = await scenario.during?.(app);
    const result = await drive(app.port, authorization, routeLoad).catch(async (error: unknown) => {
      await stopDuring?.().catch(() => undefined);
      throw error;
    });
    const alongside = (await stopDuring?.()) ?? null;
    return { scenario, size, bareName: bareKey(size, routeLoad), bare, app: result, alongside };
  } finally {
    await app.stop();
  }
}

function targetsOf(result: ScenarioResult): Measured[] {
  return result.scenario.targets(result).map((m) => ({ ...m, target: { ...m.target, name: `${result.scenario.name}: ${m.target.name}` } }));
}

function report(results: ScenarioResult[]): void {
  const row = (name: string, r: LoadResult) => [
    name,
    fmt(r.requests.average),
    fmt(r.latency.p50, 1),
    fmt(r.latency.p99, 1),
    fmt(r.latency.p99_9, 1),
    fmt(r.latency.max),
    fmt(r.non2xx + r.errors),
  ];
  const sizes = [...new Set(results.map((r) => r.size))].join(", ");
  console.info(
    `\nbench:route — /api/route, 50 connections, ${fmt(USER_IDS)} distinct user ids, ${DURATION_S} s each, ` +
      `answers of ${sizes} bytes; each app row is compared with the bare row of its answer's size and method\n`,
  );
  console.info(
    table([
      ["", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "failed"],
      ...[...bareBySize].map(([key, bare]) => row(`bare node:http, ${key} (baseline)`, bare)),
      ...results.map((r) => row(`/api/route, ${r.scenario.name} (${r.bareName})`, r.app)),
    ]),
  );
  for (const r of results) if (r.alongside) console.info(`  meanwhile (${r.scenario.name}): ${r.alongside}`);
}

/** The scenarios BENCH_ROUTE_ONLY selects; all without it. */
function selectedScenarios(): Scenario[] {
  const only = process.env.BENCH_ROUTE_ONLY?.toLowerCase();
  if (!only) return SCENARIOS;
  const chosen = SCENARIOS.filter((scenario) => scenario.name.toLowerCase().includes(only));
  if (chosen.length === 0) throw new Error(`BENCH_ROUTE_ONLY=${only} names no scenario; they are:\n${SCENARIOS.map((s) => `  ${s.name}`).join("\n")}`);
  return chosen;
}

async function main(): Promise<void> {
  const results: ScenarioResult[] = [];
  for (const scenario of selectedScenarios()) results.push(await measure(scenario));
  report(results);
  checkTargets("bench:route", results.flatMap(targetsOf));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
