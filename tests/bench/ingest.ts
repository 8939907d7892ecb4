// npm run bench:ingest — /api/metrics on the production server (real PostgreSQL): 4 clients
// sending batches of 500 outcome events with unique request ids, while a fifth client keeps
// asking /api/route on the same instance; then the same with 3 custom scores on every event.
// Baselines in the same run: a bare node:http server taking the same batches, and a direct
// set-based INSERT of the same rows through `pg` (outcomes with their keys in outcome_keys, which
// makes storing them idempotent; and those plus their score rows).
// Afterwards every accepted event must be stored (with its scores) and the rollups equal a
// recomputation. INGEST_TARGETS below; exits 1 naming the targets missed.
import pg from "pg";
import { latencyBucket } from "../../lib/metrics/latency-buckets";
import { checkScoreRollups, defineBenchScores, DIRECT_OUTCOMES_CTES, DIRECT_SCORED_SQL, directScoredParams, scoreFields, scoresJson } from "./ingest-scores";
import { DURATION_S, createBenchDatabase, fmt, load, seed, startApp, startBare, table } from "./harness";
import type { LoadResult, Seeded } from "./harness";
import { checkTargets, type Target } from "./targets";

const BATCH = 500;
const CLIENTS = 4;
/**
 * The scored case alternates the app and its direct baseline this many times, DURATION_S / SLICES
 * each: on a shared machine the other load drifts by the minute, and a ratio of two runs taken a
 * minute apart measured that drift more than the app (0.36-0.72 × in seven runs of one hour).
 */
const SCORED_SLICES = 3;
const APP_PORT = 3411;
const BARE_PORT = 3412;

const INGEST_TARGETS = {
  rate: { name: "events/s stored by /api/metrics", unit: "events/s", bound: "min", limit: 50_000, env: "BENCH_INGEST_MIN_EVENTS_S" },
  ratio: { name: "app / direct INSERT events/s", unit: "×", bound: "min", limit: 0.5, digits: 2, env: "BENCH_INGEST_MIN_RATIO" },
  routeP99: { name: "/api/route p99 alongside", unit: "ms", bound: "max", limit: 50, digits: 1, env: "BENCH_INGEST_MAX_ROUTE_P99_MS" },
  routeFailed: { name: "failed /api/route requests alongside", unit: "", bound: "max", limit: 0 },
  failed: { name: "failed batches (not 202, or errors)", unit: "", bound: "max", limit: 0 },
  lost: { name: "accepted events not stored", unit: "", bound: "max", limit: 0 },
  // Batches in flight when the load stopped are stored but their answers were never counted.
  unacknowledged: { name: "stored events never acknowledged", unit: "", bound: "max", limit: CLIENTS * BATCH },
  mismatched: { name: "rollup rows (minute, hour, histograms) differing from a recomputation", unit: "", bound: "max", limit: 0 },
  scoredRatio: { name: "3 scores per event: app / direct INSERT (outcomes + score rows) events/s", unit: "×", bound: "min", limit: 0.6, digits: 2, env: "BENCH_INGEST_MIN_SCORED_RATIO" },
  scoredFailed: { name: "3 scores per event: failed batches", unit: "", bound: "max", limit: 0 },
  scoredLost: { name: "3 scores per event: accepted events not stored", unit: "", bound: "max", limit: 0 },
  scoreRowsMissing: { name: "3 scores per event: stored outcomes without all 3 score rows", unit: "", bound: "max", limit: 0 },
  // One batch per client in flight at the end of each slice.
  scoredUnacknowledged: { name: "3 scores per event: stored events never acknowledged", unit: "", bound: "max", limit: SCORED_SLICES * CLIENTS * BATCH },
  scoreMismatched: { name: "score rollup rows (minute, hour) differing from a recomputation", unit: "", bound: "max", limit: 0 },
} satisfies Record<string, Target>;

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

function batchBody(seeded: Seeded, prefix: string, scored: boolean): string {
  const events: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const e = eventFields(seeded, i);
    events.push(
      `{"requestId":"${prefix}-${i}","config":"bench-chat","versionId":"${e.versionId}","isError":${e.isError},"latencyMs":${e.latencyMs},` +
        `${e.rating ? `"rating":${e.rating},` : ""}${scored ? `${scoresJson(scoreFields(i))},` : ""}"inputTokens":${e.inputTokens},"outputTokens":${e.outputTokens},"costUsd":${e.costUsd}}`,
    );
  }
  return `{"events":[${events.join(",")}]}`;
}

/** Answers other than 202, by status, with the first body of each: a benchmark must not hide failures. */
const refusals = new Map<number, { count: number; body: string }>();

function ingest(port: number, seeded: Seeded, run: string, onAccepted: (n: number) => void, scored = false, duration = DURATION_S): Promise<LoadResult> {
  let n = 0;
  return load({
    duration,
    url: `http://127.0.0.1:${port}`,
    connections: CLIENTS,
    headers: { authorization: seeded.authorization, "content-type": "application/json" },
    requests: [
      {
        method: "POST",
        path: "/api/metrics",
        setupRequest: (request) => {
          request.body = batchBody(seeded, `${run}-${n++}`, scored);
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

const DIRECT_SQL = `${DIRECT_OUTCOMES_CTES} SELECT count(*)::integer AS stored FROM stored`;

/** The same rows through `pg`, one set-based statement per batch (with the score rows: DIRECT_SCORED_SQL), 4 clients, no HTTP, no rollups. */
async function directInsert(url: string, seeded: Seeded, scored = false, duration = DURATION_S, run = ""): Promise<number> {
  const deadline = Date.now() + duration * 1000;
  let inserted = 0;
  const client = async (c: number) => {
    const db = new pg.Client({ connectionString: url });
    db.on("error", () => undefined); // a failed sibling ends the run; the error surfaces there
    await db.connect();
    for (let b = 0; Date.now() < deadline; b++) {
      const cols: unknown[][] = Array.from({ length: 13 }, () => []);
      const scores: { requestId: string; scores: ReturnType<typeof scoreFields> }[] = [];
      for (let i = 0; i < BATCH; i++) {
        const e = eventFields(seeded, i);
        const requestId = `direct${scored ? "-scored" : ""}${run}-${c}-${b}-${i}`;
        if (scored) scores.push({ requestId, scores: scoreFields(i) });
        const row = [seeded.configId, requestId, e.versionId, seeded.rolloutId, e.canary ? "canary" : "stable", e.isError, e.latencyMs, latencyBucket(e.latencyMs), e.inputTokens, e.outputTokens, e.costUsd, e.rating, new Date()];
        row.forEach((v, k) => cols[k].push(v));
      }
      if (scored) {
        // Awaited first: `inserted += await …` would add to the value read before the wait, and lose
        // what the other clients added meanwhile.
        const [{ stored }] = (await db.query<{ stored: number }>(DIRECT_SCORED_SQL, directScoredParams(cols, scores))).rows;
        if (Date.now() <= deadline) inserted += stored;
        continue;
      }
      const [{ stored }] = (await db.query<{ stored: number }>(DIRECT_SQL, cols)).rows;
      // Counted as autocannon counts the app's batches: only those answered within the duration.
      if (Date.now() <= deadline) inserted += stored;
    }
    await db.end();
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  return inserted;
}

/** The rollups of one resolution as rows to compare, and the same recomputed from the outcomes the app stored (both runs). */
function rollupQueries(unit: "minute" | "hour", table: string): [string, string][] {
  const outcomes = `FROM outcomes WHERE config_id = $1 AND (request_id LIKE 'app-%' OR request_id LIKE 'scored-%')`;
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

interface Stored {
  stored: number;
  lost: number;
  unacknowledged: number;
}

/** Stored outcomes of each app run vs what it accepted; minute, hour and score rollups vs a recomputation. */
async function verify(url: string, seeded: Seeded, accepted: { plain: number; scored: number }) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const storedOf = async (prefix: string, acknowledged: number): Promise<Stored> => {
      const stored = Number((await db.query(`SELECT count(*) FROM outcomes WHERE config_id = $1 AND request_id LIKE $2`, [seeded.configId, `${prefix}%`])).rows[0].count);
      return { stored, lost: Math.max(0, acknowledged - stored), unacknowledged: Math.max(0, stored - acknowledged) };
    };
    let mismatched = 0;
    for (const [recompute, rollups] of [...rollupQueries("minute", "metric_rollups"), ...rollupQueries("hour", "metric_rollups_hourly")]) {
      const diff = `SELECT count(*) FROM ((${recompute} EXCEPT ${rollups}) UNION ALL (${rollups} EXCEPT ${recompute})) AS d`;
      mismatched += Number((await db.query(diff, [seeded.configId])).rows[0].count);
    }
    const plain = await storedOf("app-", accepted.plain);
    const scored = await storedOf("scored-", accepted.scored);
    const scores = await checkScoreRollups(db, seeded.configId, "scored-");
    return { plain, scored, mismatched, scoreRows: scores.scoreRows, incomplete: scores.incomplete, scoreMismatched: scores.mismatched };
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  try {
    const seeded = await seed(database.url);
    await defineBenchScores(database.url, seeded.configKey);
    const app = await startApp(database.url, APP_PORT);
    const accepted = { plain: 0, scored: 0 };
    let appResult: LoadResult;
    let routeResult: LoadResult;
    const scoredSlices: LoadResult[] = [];
    let directScored = 0;
    try {
      [appResult, routeResult] = await Promise.all([ingest(APP_PORT, seeded, "app", (n) => (accepted.plain += n)), routeAlongside(APP_PORT, seeded)]);
      // The app (idle meanwhile) and the direct baseline in turns: see SCORED_SLICES.
      const slice = DURATION_S / SCORED_SLICES;
      for (let k = 0; k < SCORED_SLICES; k++) {
        scoredSlices.push(await ingest(APP_PORT, seeded, `scored-${k}`, (n) => (accepted.scored += n), true, slice));
        directScored += await directInsert(database.url, seeded, true, slice, `${k}`);
      }
    } finally {
      await app.stop();
    }
    const bare = await startBare(BARE_PORT, JSON.stringify({ accepted: BATCH, duplicates: 0 }).length, 202);
    const bareResult = await ingest(BARE_PORT, seeded, "bare", () => undefined).finally(() => bare.stop());
    const direct = await directInsert(database.url, seeded);
    const check = await verify(database.url, seeded, accepted);
    report({ appResult, routeResult, scoredSlices, accepted, bareBatches: bareResult.requests.total, bareResult, direct, directScored, check });
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
  scoredSlices: LoadResult[];
  accepted: { plain: number; scored: number };
  bareBatches: number;
  bareResult: LoadResult;
  direct: number;
  directScored: number;
  check: Awaited<ReturnType<typeof verify>>;
}): void {
  const appRate = r.accepted.plain / DURATION_S;
  const scoredRate = r.accepted.scored / DURATION_S;
  const bareRate = (r.bareBatches * BATCH) / DURATION_S;
  const directRate = r.direct / DURATION_S;
  const directScoredRate = r.directScored / DURATION_S;
  const latency = (result: LoadResult) => [fmt(result.latency.p50, 1), fmt(result.latency.p99, 1)];
  // Slices cannot be merged into one distribution: the worst slice's p50 and p99.
  const slicesLatency = [fmt(Math.max(...r.scoredSlices.map((x) => x.latency.p50)), 1), fmt(Math.max(...r.scoredSlices.map((x) => x.latency.p99)), 1)];
  console.info(`\nbench:ingest — POST /api/metrics, ${CLIENTS} clients, batches of ${BATCH} events, ${DURATION_S} s each`);
  console.info(`(3 scores per event: the app and its baseline in ${SCORED_SLICES} alternating slices of ${fmt(DURATION_S / SCORED_SLICES, 1)} s)\n`);
  console.info(
    table([
      ["", "events/s", "batch p50 ms", "batch p99 ms"],
      ["bare node:http taking the same batches", fmt(bareRate), ...latency(r.bareResult)],
      ["direct set-based INSERT through pg", fmt(directRate), "", ""],
      ["LLM Canary /api/metrics (with rollups)", fmt(appRate), ...latency(r.appResult)],
      ["direct INSERT, outcomes + 3 score rows each", fmt(directScoredRate), "", ""],
      ["LLM Canary /api/metrics, 3 scores per event (with score rollups)", fmt(scoredRate), ...slicesLatency],
    ]),
  );
  for (const [status, { count, body }] of refusals) console.info(`answered ${status} ${count} times, e.g. ${body}`);
  console.info(`app / bare HTTP: ${(appRate / bareRate).toFixed(2)}; /api/route alongside: ${fmt(r.routeResult.requests.average)} req/s (not during the scored run)`);
  const { check } = r;
  const failedOf = (result: LoadResult | LoadResult[]) => {
    const results = Array.isArray(result) ? result : [result];
    const [non2xx, errors] = [results.reduce((n, x) => n + x.non2xx, 0), results.reduce((n, x) => n + x.errors, 0)];
    return { value: non2xx + errors, detail: `${non2xx} not 202, ${errors} errors` };
  };
  checkTargets("bench:ingest", [
    { target: INGEST_TARGETS.rate, value: appRate, detail: `${fmt(r.accepted.plain)} accepted in ${DURATION_S} s` },
    { target: INGEST_TARGETS.ratio, value: appRate / directRate, detail: `${fmt(appRate)} vs ${fmt(directRate)} events/s` },
    { target: INGEST_TARGETS.routeP99, value: r.routeResult.latency.p99 },
    { target: INGEST_TARGETS.routeFailed, value: r.routeResult.non2xx + r.routeResult.errors },
    { target: INGEST_TARGETS.failed, ...failedOf(r.appResult) },
    { target: INGEST_TARGETS.lost, value: check.plain.lost, detail: `accepted ${fmt(r.accepted.plain)}, stored ${fmt(check.plain.stored)}` },
    { target: INGEST_TARGETS.unacknowledged, value: check.plain.unacknowledged, detail: "from batches still in flight at the end" },
    { target: INGEST_TARGETS.mismatched, value: check.mismatched },
    { target: INGEST_TARGETS.scoredRatio, value: scoredRate / directScoredRate, detail: `${fmt(scoredRate)} vs ${fmt(directScoredRate)} events/s` },
    { target: INGEST_TARGETS.scoredFailed, ...failedOf(r.scoredSlices) },
    { target: INGEST_TARGETS.scoredLost, value: check.scored.lost, detail: `accepted ${fmt(r.accepted.scored)}, stored ${fmt(check.scored.stored)}` },
    { target: INGEST_TARGETS.scoreRowsMissing, value: check.incomplete, detail: `${fmt(check.scoreRows)} score rows for ${fmt(check.scored.stored)} outcomes` },
    { target: INGEST_TARGETS.scoredUnacknowledged, value: check.scored.unacknowledged, detail: "from batches still in flight at the end" },
    { target: INGEST_TARGETS.scoreMismatched, value: check.scoreMismatched },
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
