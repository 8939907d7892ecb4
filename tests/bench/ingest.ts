// npm run bench:ingest — /api/metrics on the production server (real PostgreSQL): 4 clients
// sending batches of 500 outcome events with unique request ids, while a fifth client keeps
// asking /api/route on the same instance. Baselines in the same run: a bare node:http server
// taking the same batches, and a direct set-based INSERT of the same rows through `pg`.
// Afterwards every accepted event must be stored and the rollups equal a recomputation.
// Targets: ≥ 50,000 events/s, ≥ 0.5 × the direct INSERT, route p99 ≤ 50 ms during ingestion.
import pg from "pg";
import { latencyBucket } from "../../lib/metrics/latency-buckets";
import { DURATION_S, createBenchDatabase, fmt, load, seed, startApp, startBare, table, type LoadResult, type Seeded } from "./harness";

const BATCH = 500;
const CLIENTS = 4;
const APP_PORT = 3411;
const BARE_PORT = 3412;

/** Simulated LLM traffic: 10 % canary, log-normal latency (median ~1.2 s), 1 % errors, ratings on 15 %. */
function eventFields(seeded: Seeded, i: number) {
  const canary = i % 10 === 0;
  const gaussian = Math.sqrt(-2 * Math.log(Math.random() || 1e-9)) * Math.cos(2 * Math.PI * Math.random());
  return {
    versionId: canary ? seeded.canaryId : seeded.stableId,
    canary,
    isError: Math.random() < 0.01,
    latencyMs: Math.round(1200 * Math.exp(0.5 * gaussian)),
    rating: Math.random() < 0.15 ? 1 + Math.floor(Math.random() * 5) : null,
    inputTokens: 300 + (i % 200),
    outputTokens: 120 + (i % 80),
    costUsd: 0.0009,
  };
}

function batchBody(seeded: Seeded, prefix: string): string {
  const events: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const e = eventFields(seeded, i);
    events.push(
      `{"requestId":"${prefix}-${i}","config":"bench-chat","versionId":"${e.versionId}","isError":${e.isError},"latencyMs":${e.latencyMs},` +
        `${e.rating ? `"rating":${e.rating},` : ""}"inputTokens":${e.inputTokens},"outputTokens":${e.outputTokens},"costUsd":${e.costUsd}}`,
    );
  }
  return `{"events":[${events.join(",")}]}`;
}

/** Answers other than 202, by status, with the first body of each: a benchmark must not hide failures. */
const refusals = new Map<number, { count: number; body: string }>();

function ingest(port: number, seeded: Seeded, run: string, onAccepted: (n: number) => void): Promise<LoadResult> {
  let n = 0;
  return load({
    url: `http://127.0.0.1:${port}`,
    connections: CLIENTS,
    headers: { authorization: seeded.authorization, "content-type": "application/json" },
    requests: [
      {
        method: "POST",
        path: "/api/metrics",
        setupRequest: (request) => {
          request.body = batchBody(seeded, `${run}-${n++}`);
          return request;
        },
        onResponse: (status, body) => {
          if (status === 202) return onAccepted((JSON.parse(body) as { accepted: number }).accepted);
          const seen = refusals.get(status) ?? { count: 0, body: body.slice(0, 300) };
          seen.count++;
          refusals.set(status, seen);
        },
      },
    ],
  });
}

function routeAlongside(port: number, seeded: Seeded): Promise<LoadResult> {
  let n = 0;
  return load({
    url: `http://127.0.0.1:${port}`,
    connections: 1,
    headers: { authorization: seeded.authorization },
    requests: [{ method: "GET", setupRequest: (r) => ({ ...r, path: `/api/route?config=bench-chat&userId=user-${(n = (n + 1) % 100_000)}` }) }],
  });
}

/** The same rows through `pg`, one set-based INSERT per batch, 4 clients, no HTTP, no rollups. */
async function directInsert(url: string, seeded: Seeded): Promise<number> {
  const deadline = Date.now() + DURATION_S * 1000;
  let inserted = 0;
  const client = async (c: number) => {
    const db = new pg.Client({ connectionString: url });
    db.on("error", () => undefined); // a failed sibling ends the run; the error surfaces there
    await db.connect();
    for (let b = 0; Date.now() < deadline; b++) {
      const cols: unknown[][] = Array.from({ length: 13 }, () => []);
      for (let i = 0; i < BATCH; i++) {
        const e = eventFields(seeded, i);
        const row = [seeded.configId, `direct-${c}-${b}-${i}`, e.versionId, seeded.rolloutId, e.canary ? "canary" : "stable", e.isError, e.latencyMs, latencyBucket(e.latencyMs), e.inputTokens, e.outputTokens, e.costUsd, e.rating, new Date()];
        row.forEach((v, k) => cols[k].push(v));
      }
      const result = await db.query(
        `INSERT INTO outcomes (config_id, request_id, version_id, rollout_id, variant, is_error, latency_ms, latency_bucket, input_tokens, output_tokens, cost_usd, rating, at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::"Variant"[], $6::bool[], $7::int[], $8::smallint[], $9::int[], $10::int[], $11::float8[], $12::smallint[], $13::timestamptz[])
         ON CONFLICT (config_id, request_id) DO NOTHING`,
        cols,
      );
      inserted += result.rowCount ?? 0;
    }
    await db.end();
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  return inserted;
}

/** The rollups of one resolution as rows to compare, and the same recomputed from the stored outcomes. */
function rollupQueries(unit: "minute" | "hour", table: string): [string, string][] {
  const outcomes = `FROM outcomes WHERE config_id = $1 AND request_id LIKE 'app-%'`;
  const key = `rollout_id, version_id, date_trunc('${unit}', at, 'UTC') AS ${unit}`;
  return [
    [
      `SELECT ${key}, count(*)::int, (count(*) FILTER (WHERE is_error))::int, count(rating)::int, coalesce(sum(rating), 0)::int, sum(latency_ms)::bigint,
         coalesce(sum(input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint, count(cost_usd)::int ${outcomes} GROUP BY 1, 2, 3`,
      `SELECT rollout_id, version_id, ${unit}, count, errors, rating_count, rating_sum, latency_sum_ms, input_tokens, output_tokens, cost_count FROM ${table} WHERE config_id = $1`,
    ],
    // Histograms as (bucket, count) rows, counted here without the database's histogram functions.
    [
      `SELECT ${key}, latency_bucket::int, count(*)::int ${outcomes} GROUP BY 1, 2, 3, 4`,
      `SELECT rollout_id, version_id, ${unit}, (b.i - 1)::int, b.n FROM ${table}, unnest(latency_hist) WITH ORDINALITY AS b(n, i) WHERE config_id = $1 AND b.n > 0`,
    ],
    [
      `SELECT ${key}, (rating - 1)::int, count(*)::int ${outcomes} AND rating IS NOT NULL GROUP BY 1, 2, 3, 4`,
      `SELECT rollout_id, version_id, ${unit}, (b.i - 1)::int, b.n FROM ${table}, unnest(rating_hist) WITH ORDINALITY AS b(n, i) WHERE config_id = $1 AND b.n > 0`,
    ],
  ];
}

/** Stored outcomes of the app run vs what it accepted, and minute and hour rollups vs a recomputation. */
async function verify(url: string, seeded: Seeded, accepted: number) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const stored = Number((await db.query(`SELECT count(*) FROM outcomes WHERE config_id = $1 AND request_id LIKE 'app-%'`, [seeded.configId])).rows[0].count);
    let mismatched = 0;
    for (const [recompute, rollups] of [...rollupQueries("minute", "metric_rollups"), ...rollupQueries("hour", "metric_rollups_hourly")]) {
      const diff = `SELECT count(*) FROM ((${recompute} EXCEPT ${rollups}) UNION ALL (${rollups} EXCEPT ${recompute})) AS d`;
      mismatched += Number((await db.query(diff, [seeded.configId])).rows[0].count);
    }
    // Batches in flight when the load stopped are stored but their answers were not counted.
    return { stored, mismatched, lost: Math.max(0, accepted - stored), unacknowledged: Math.max(0, stored - accepted) };
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  try {
    const seeded = await seed(database.url);
    const app = await startApp(database.url, APP_PORT);
    let accepted = 0;
    let appResult: LoadResult;
    let routeResult: LoadResult;
    try {
      [appResult, routeResult] = await Promise.all([ingest(APP_PORT, seeded, "app", (n) => (accepted += n)), routeAlongside(APP_PORT, seeded)]);
    } finally {
      await app.stop();
    }
    const bare = await startBare(BARE_PORT, JSON.stringify({ accepted: BATCH, duplicates: 0 }).length, 202);
    let bareBatches = 0;
    const bareResult = await ingest(BARE_PORT, seeded, "bare", () => undefined).finally(() => bare.stop());
    bareBatches = bareResult.requests.total;
    const direct = await directInsert(database.url, seeded);
    const check = await verify(database.url, seeded, accepted);
    report({ appResult, routeResult, accepted, bareBatches, bareResult, direct, check });
    if (check.lost !== 0 || check.mismatched !== 0 || check.unacknowledged > CLIENTS * BATCH || appResult.non2xx > 0) process.exitCode = 1;
  } catch (error) {
    console.error(error); // before the drop below ends open connections and buries it
    process.exitCode = 1;
  } finally {
    await database.drop();
  }
}

function report(r: {
  appResult: LoadResult;
  routeResult: LoadResult;
  accepted: number;
  bareBatches: number;
  bareResult: LoadResult;
  direct: number;
  check: { stored: number; mismatched: number; lost: number; unacknowledged: number };
}): void {
  const appRate = r.accepted / DURATION_S;
  const bareRate = (r.bareBatches * BATCH) / DURATION_S;
  const directRate = r.direct / DURATION_S;
  console.info(`\nbench:ingest — POST /api/metrics, ${CLIENTS} clients, batches of ${BATCH} events, ${DURATION_S} s each\n`);
  console.info(
    table([
      ["", "events/s", "batch p50 ms", "batch p99 ms"],
      ["bare node:http taking the same batches", fmt(bareRate), fmt(r.bareResult.latency.p50, 1), fmt(r.bareResult.latency.p99, 1)],
      ["direct set-based INSERT through pg", fmt(directRate), "", ""],
      ["LLM Canary /api/metrics (with rollups)", fmt(appRate), fmt(r.appResult.latency.p50, 1), fmt(r.appResult.latency.p99, 1)],
    ]),
  );
  const vsDirect = appRate / directRate;
  console.info(`\nratio app / direct INSERT: ${vsDirect.toFixed(2)} (target ≥ 0.50: ${vsDirect >= 0.5 ? "met" : "MISSED"}); app / bare HTTP: ${(appRate / bareRate).toFixed(2)}`);
  console.info(`events/s: ${fmt(appRate)} (target ≥ 50,000: ${appRate >= 50_000 ? "met" : "MISSED"}); failed batches: ${r.appResult.non2xx + r.appResult.errors}`);
  for (const [status, { count, body }] of refusals) console.info(`answered ${status} ${count} times, e.g. ${body}`);
  console.info(`/api/route alongside: ${fmt(r.routeResult.requests.average)} req/s, p99 ${r.routeResult.latency.p99} ms (target ≤ 50 ms: ${r.routeResult.latency.p99 <= 50 ? "met" : "MISSED"})`);
  console.info(
    `nothing lost: accepted ${fmt(r.accepted)}, stored ${fmt(r.check.stored)} (${fmt(r.check.unacknowledged)} from batches still in flight at the end), ` +
      `lost ${r.check.lost}; rollup rows (minute and hour, with histograms) differing from a recomputation: ${r.check.mismatched}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
