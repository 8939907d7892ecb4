// npm run bench:report — the rollout report and chart series over a rollout with 2,000,000
// outcomes spread over 14 days (rollups: one row per variant and minute, and per hour), against the same
// statistics computed by scanning the raw outcomes, in the same run; the report's figures must
// equal the scan's (report-check.ts). REPORT_TARGETS below; exits 1 naming the targets missed.
// BENCH_OUTCOMES changes the size.
import pg from "pg";
import { getRolloutReport, getRolloutSeries } from "../../lib/analysis/report-service";
import { openDatabase } from "../../lib/db/client";
import { ensurePartitionsAt } from "../../lib/db/partitions";
import { createBenchDatabase, fmt, seed, table } from "./harness";
import { QUANTILE_PRECISION, SCAN_SQL, compareWithScan, type ScanRow } from "./report-check";
import { checkTargets, type Target } from "./targets";

const OUTCOMES = Number(process.env.BENCH_OUTCOMES ?? 2_000_000);
const MINUTES = 14 * 24 * 60;

// "Well under a second" for a page that shows both (the README's promise), made a number.
const REPORT_TARGETS = {
  report: { name: "GET …/report, median of 5", unit: "ms", bound: "max", limit: 500, digits: 1, env: "BENCH_REPORT_MAX_MS" },
  series: { name: "GET …/series, median of 5", unit: "ms", bound: "max", limit: 500, digits: 1, env: "BENCH_SERIES_MAX_MS" },
  unscanned: { name: "seeded outcomes the scan did not find in the rollout", unit: "", bound: "max", limit: 0 },
  differing: { name: "report figures differing from the scan", unit: "", bound: "max", limit: 0 },
} satisfies Record<string, Target>;

async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const times: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], result };
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const seeded = await seed(database.url);
    const started = performance.now();
    // The day partitions of the 14 days seeded (the app makes them as outcomes arrive).
    const partitioner = await openDatabase({ url: database.url });
    await ensurePartitionsAt(partitioner, Array.from({ length: 16 }, (_, d) => new Date(Date.now() - (15 - d) * 86_400_000))).finally(() => partitioner.close());
    // Outcomes: 10 % canary, latency log-normal-ish, 1 % errors (every 101st: both variants have
    // some), ratings on 15 %, one per ~0.6 s.
    await client.query(
      `INSERT INTO outcomes (config_id, request_id, version_id, rollout_id, variant, is_error, latency_ms, latency_bucket, rating, cost_usd, at)
       SELECT $1, 'b-' || g, CASE WHEN g % 10 = 0 THEN $3 ELSE $2 END, $4, (CASE WHEN g % 10 = 0 THEN 'canary' ELSE 'stable' END)::"Variant",
         g % 101 = 7, l, 1 + floor(8 * log(2, l))::int, CASE WHEN g % 7 = 0 THEN 1 + (g::bigint * 7919 % 5)::int END, 0.002,
         now() - interval '14 days' + (g::float8 / $5 * interval '14 days')
       FROM generate_series(1, $5::int) g, LATERAL (SELECT (400 + (g::bigint * 2654435761 % 2400))::int AS l) x`,
      [seeded.configId, seeded.stableId, seeded.canaryId, seeded.rolloutId, OUTCOMES],
    );
    for (const [table, unit] of [["metric_rollups", "minute"], ["metric_rollups_hourly", "hour"]]) {
      await client.query(
        `INSERT INTO ${table} (config_id, version_id, rollout_id, variant, ${unit}, count, errors, rating_count, rating_sum, rating_hist,
           latency_sum_ms, latency_hist, cost_usd, cost_sq_sum, cost_count)
         SELECT config_id, version_id, rollout_id, variant, date_trunc('${unit}', at, 'UTC'), count(*), count(*) FILTER (WHERE is_error),
           count(rating), coalesce(sum(rating), 0), llm_canary_hist_of(coalesce(array_agg(rating - 1) FILTER (WHERE rating IS NOT NULL), '{}'), 5),
           sum(latency_ms), llm_canary_hist_of(array_agg(latency_bucket::int), 177), sum(cost_usd), sum(cost_usd * cost_usd), count(cost_usd)
         FROM outcomes GROUP BY 1, 2, 3, 4, 5`,
      );
    }
    // The rollout began with its first outcome, so its one stage holds them all.
    await client.query(
      `UPDATE rollouts SET created_at = first.at, stage_started_at = first.at
       FROM (SELECT min(at) AS at FROM outcomes WHERE rollout_id = $1) first WHERE id = $1`,
      [seeded.rolloutId],
    );
    await client.query("ANALYZE");
    const rows = (await client.query("SELECT count(*)::int AS n FROM metric_rollups")).rows[0].n as number;
    console.info(`seeded ${fmt(OUTCOMES)} outcomes over ${fmt(MINUTES)} minutes (${fmt(rows)} rollup rows) in ${((performance.now() - started) / 1000).toFixed(0)} s`);

    const db = await openDatabase({ url: database.url });
    try {
      const report = await timed(5, () => getRolloutReport(db.prisma, seeded.rolloutId));
      const series = await timed(5, () => getRolloutSeries(db.prisma, seeded.rolloutId));
      const scan = await timed(3, () => client.query<ScanRow>(SCAN_SQL, [seeded.rolloutId]));
      const canary = report.result.canary.requests;
      console.info(`\nbench:report — one rollout, ${fmt(OUTCOMES)} outcomes (canary ${fmt(canary)}), medians\n`);
      console.info(
        table([
          ["", "ms"],
          ["the same statistics by scanning raw outcomes (baseline)", scan.ms.toFixed(1)],
          ["GET …/report (rollups: totals, histograms, per stage, verdicts)", report.ms.toFixed(1)],
          [`GET …/series (${series.result.points.length} points of ${series.result.resolutionMinutes} min)`, series.ms.toFixed(1)],
        ]),
      );
      console.info(`\nreport / scan: ${(report.ms / scan.ms).toFixed(3)}`);
      const scanned = scan.result.rows.reduce((n, r) => n + r.requests, 0);
      const compared = compareWithScan(report.result, series.result, scan.result.rows);
      console.info(
        `report vs scan: ${compared.compared} figures compared (whole rollout, its stage, series totals); ` +
          `largest latency quantile difference ${(100 * compared.worstQuantile).toFixed(2)} % ` +
          `(the histogram's precision: ${(100 * QUANTILE_PRECISION).toFixed(2)} %)`,
      );
      for (const difference of compared.differences.slice(0, 20)) console.info(`  differs: ${difference}`);
      checkTargets("bench:report", [
        { target: REPORT_TARGETS.report, value: report.ms },
        { target: REPORT_TARGETS.series, value: series.ms },
        { target: REPORT_TARGETS.unscanned, value: OUTCOMES - scanned, detail: `seeded ${fmt(OUTCOMES)}, scanned ${fmt(scanned)}` },
        { target: REPORT_TARGETS.differing, value: compared.differences.length, detail: `of ${compared.compared}` },
      ]);
    } finally {
      await db.close();
    }
  } finally {
    await client.end();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
