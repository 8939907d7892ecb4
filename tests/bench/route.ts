// npm run bench:route — /api/route on the production server (real PostgreSQL) against a bare
// node:http server answering a fixed body of the same size, driven by the same client: 50
// connections, 100,000 distinct user ids. Targets: ratio ≥ 0.5, app p99 ≤ 20 ms.
import { DURATION_S, createBenchDatabase, fmt, load, seed, startApp, startBare, table, type LoadResult } from "./harness";

const USER_IDS = 100_000;
const APP_PORT = 3401;
const BARE_PORT = 3402;

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

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  try {
    const seeded = await seed(database.url);
    const app = await startApp(database.url, APP_PORT);
    try {
      const sample = await fetch(`http://127.0.0.1:${APP_PORT}/api/route?config=bench-chat&userId=user-1`, { headers: { authorization: seeded.authorization } });
      if (sample.status !== 200) throw new Error(`the app answered ${sample.status}: ${await sample.text()}`);
      const size = Buffer.byteLength(await sample.text());
      const bare = await startBare(BARE_PORT, size);
      await drive(APP_PORT, seeded.authorization, 3); // warm-up (JIT, connections)
      await drive(BARE_PORT, seeded.authorization, 3);
      const bareResult = await drive(BARE_PORT, seeded.authorization);
      await bare.stop();
      const appResult = await drive(APP_PORT, seeded.authorization);
      report(size, bareResult, appResult);
      if (appResult.non2xx > 0 || appResult.errors > 0) {
        console.error(`FAILED: ${appResult.non2xx} non-2xx answers and ${appResult.errors} errors from the app`);
        process.exitCode = 1;
      }
    } finally {
      await app.stop();
    }
  } finally {
    await database.drop();
  }
}

function report(size: number, bare: LoadResult, app: LoadResult): void {
  const ratio = app.requests.average / bare.requests.average;
  const row = (name: string, r: LoadResult) => [name, fmt(r.requests.average), fmt(r.latency.p50, 1), fmt(r.latency.p99, 1), fmt(r.non2xx + r.errors)];
  console.info(`\nbench:route — GET /api/route, 50 connections, ${fmt(USER_IDS)} distinct user ids, ${DURATION_S} s each, answers of ${size} bytes\n`);
  console.info(
    table([
      ["", "req/s", "p50 ms", "p99 ms", "failed"],
      row("bare node:http (baseline)", bare),
      row("LLM Canary /api/route", app),
    ]),
  );
  console.info(`\nratio app / bare: ${ratio.toFixed(2)} (target ≥ 0.50: ${ratio >= 0.5 ? "met" : "MISSED"}); app p99 ${app.latency.p99} ms (target ≤ 20 ms: ${app.latency.p99 <= 20 ? "met" : "MISSED"})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
