// npm run bench:route — /api/route on the production server against a bare node:http server
// answering a fixed body of the same size, driven by the same client: 50 connections, 100,000
// distinct user ids. One row per scenario in SCENARIOS (a way of running the app), each held to
// ROUTE_TARGETS; exits 1 naming the targets missed.
import { DURATION_S, createBenchDatabase, fmt, load, seed, startApp, startBare, table } from "./harness";
import type { LoadResult } from "./harness";
import { checkTargets, type Measured, type Target } from "./targets";

const USER_IDS = 100_000;
const APP_PORT = 3401;
const BARE_PORT = 3402;

const ROUTE_TARGETS = {
  ratio: { name: "app / bare req/s", unit: "×", bound: "min", limit: 0.5, digits: 2, env: "BENCH_ROUTE_MIN_RATIO" },
  p99: { name: "app p99", unit: "ms", bound: "max", limit: 20, digits: 1, env: "BENCH_ROUTE_MAX_P99_MS" },
  failed: { name: "failed requests (non-2xx or errors)", unit: "", bound: "max", limit: 0 },
} satisfies Record<string, Target>;

/** The app, started and seeded (config `bench-chat`, a key with the route scope). */
interface RunningApp {
  port: number;
  authorization: string;
  /** Stops the app and removes its data. */
  stop(): Promise<void>;
}

interface Scenario {
  /** Names the scenario's row and targets. */
  name: string;
  start(port: number): Promise<RunningApp>;
  /** Other work the scenario puts on the app while /api/route is measured; resolves to its stop. */
  during?(app: RunningApp): Promise<() => Promise<void>>;
}

const SCENARIOS: Scenario[] = [
  {
    name: "PostgreSQL server",
    async start(port) {
      const database = await createBenchDatabase();
      try {
        const seeded = await seed(database.url);
        const app = await startApp(database.url, port);
        return { port, authorization: seeded.authorization, stop: () => app.stop().finally(() => database.drop()) };
      } catch (error) {
        await database.drop();
        throw error;
      }
    },
  },
];

function drive(port: number, authorization: string, duration = DURATION_S): Promise<LoadResult> {
  let n = 0;
  return load({
    url: `http://127.0.0.1:${port}`,
    connections: 50,
    duration,
    headers: { authorization },
    requests: [
      {
        method: "GET",
        setupRequest: (request) => {
          n = (n + 1) % USER_IDS;
          request.path = `/api/route?config=bench-chat&userId=user-${n}`;
          return request;
        },
      },
    ],
  });
}

/** The bare server answering bodies of `size` bytes, measured once per size. */
const bareBySize = new Map<number, LoadResult>();
async function bareBaseline(size: number, authorization: string): Promise<LoadResult> {
  const known = bareBySize.get(size);
  if (known) return known;
  const bare = await startBare(BARE_PORT, size);
  try {
    await drive(BARE_PORT, authorization, 3); // warm-up (JIT, connections)
    const result = await drive(BARE_PORT, authorization);
    bareBySize.set(size, result);
    return result;
  } finally {
    await bare.stop();
  }
}

interface ScenarioResult {
  scenario: Scenario;
  size: number;
  bare: LoadResult;
  app: LoadResult;
}

async function measure(scenario: Scenario): Promise<ScenarioResult> {
  const app = await scenario.start(APP_PORT);
  try {
    const sample = await fetch(`http://127.0.0.1:${app.port}/api/route?config=bench-chat&userId=user-1`, {
      headers: { authorization: app.authorization },
    });
    if (sample.status !== 200) {
      throw new Error(`${scenario.name}: the app answered ${sample.status}: ${await sample.text()}`);
    }
    const size = Buffer.byteLength(await sample.text());
    const bare = await bareBaseline(size, app.authorization);
    await drive(app.port, app.authorization, 3); // warm-up
    const stopDuring = await scenario.during?.(app);
    const result = await drive(app.port, app.authorization).finally(() => stopDuring?.());
    return { scenario, size, bare, app: result };
  } finally {
    await app.stop();
  }
}

function targetsOf({ scenario, bare, app }: ScenarioResult): Measured[] {
  const named = (target: Target): Target => ({ ...target, name: `${scenario.name}: ${target.name}` });
  return [
    {
      target: named(ROUTE_TARGETS.ratio),
      value: app.requests.average / bare.requests.average,
      detail: `${fmt(app.requests.average)} vs ${fmt(bare.requests.average)} req/s`,
    },
    { target: named(ROUTE_TARGETS.p99), value: app.latency.p99 },
    {
      target: named(ROUTE_TARGETS.failed),
      value: app.non2xx + app.errors,
      detail: `${app.non2xx} non-2xx, ${app.errors} errors`,
    },
  ];
}

function report(results: ScenarioResult[]): void {
  const row = (name: string, r: LoadResult) => [
    name,
    fmt(r.requests.average),
    fmt(r.latency.p50, 1),
    fmt(r.latency.p99, 1),
    fmt(r.non2xx + r.errors),
  ];
  const sizes = [...new Set(results.map((r) => r.size))].join(", ");
  console.info(
    `\nbench:route — GET /api/route, 50 connections, ${fmt(USER_IDS)} distinct user ids, ${DURATION_S} s each, ` +
      `answers of ${sizes} bytes\n`,
  );
  console.info(
    table([
      ["", "req/s", "p50 ms", "p99 ms", "failed"],
      ...[...bareBySize].map(([size, bare]) => row(`bare node:http, ${size} bytes (baseline)`, bare)),
      ...results.map((r) => row(`/api/route, ${r.scenario.name}`, r.app)),
    ]),
  );
}

async function main(): Promise<void> {
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) results.push(await measure(scenario));
  report(results);
  checkTargets("bench:route", results.flatMap(targetsOf));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
