// bench:report's baseline and its check: the statistics the report shows, computed by scanning a
// rollout's raw outcomes, and the figures of the report (whole rollout, its stages, the chart
// series' totals) compared with them. Counts and rating histograms must be equal, rates and means
// equal up to float rounding, and latency quantiles within the histogram's precision: the report
// reads a quantile inside its bucket (lib/analysis/variant-stats.ts latencyAtRank), so it is
// never further from the scan's than one bucket's width (lib/metrics/latency-buckets.ts).
import type { RolloutReportDto, VariantSummaryDto } from "../../lib/analysis/report-schemas";
import type { SeriesDto } from "../../lib/analysis/series";
import { BUCKETS_PER_DOUBLING } from "../../lib/metrics/latency-buckets";

export const QUANTILES = [0.5, 0.95, 0.99] as const;

/**
 * percentile_disc is the report's definition of a quantile: the smallest latency with at least
 * q·n outcomes at or below it, so both land in the same histogram bucket.
 */
export const SCAN_SQL = `
  SELECT variant::text AS variant, count(*)::int AS requests, (count(*) FILTER (WHERE is_error))::int AS errors,
    count(rating)::int AS rating_count, avg(rating)::float8 AS rating_mean,
    ARRAY[${[1, 2, 3, 4, 5].map((r) => `count(*) FILTER (WHERE rating = ${r})`).join(", ")}]::int[] AS rating_hist,
    avg(cost_usd)::float8 AS cost_mean,
    percentile_disc(ARRAY[${QUANTILES.join(", ")}]::float8[]) WITHIN GROUP (ORDER BY latency_ms) AS latency
  FROM outcomes WHERE rollout_id = $1 GROUP BY variant`;

export interface ScanRow {
  variant: "stable" | "canary";
  requests: number;
  errors: number;
  rating_count: number;
  rating_mean: number | null;
  rating_hist: number[];
  cost_mean: number | null;
  latency: number[];
}

/** Largest ratio between two latencies of one bucket: 2^(1/8), 9.1 % (the log shows how close it came). */
export const QUANTILE_PRECISION = 2 ** (1 / BUCKETS_PER_DOUBLING) - 1;
/** Cost sums are added in another order (per minute, per hour, then over the rollout). */
const FLOAT_SUM_PRECISION = 1e-9;
const ROUNDING = 1e-12;

export interface ScanComparison {
  compared: number;
  differences: string[];
  /** The largest relative difference of a latency quantile seen, for the log. */
  worstQuantile: number;
}

export function compareWithScan(report: RolloutReportDto, series: SeriesDto, scan: readonly ScanRow[]): ScanComparison {
  const result: ScanComparison = { compared: 0, differences: [], worstQuantile: 0 };
  const same = (what: string, actual: unknown, expected: unknown) => {
    result.compared++;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      result.differences.push(`${what}: report ${JSON.stringify(actual)}, scan ${JSON.stringify(expected)}`);
    }
  };
  const close = (what: string, actual: number | null | undefined, expected: number | null, relative: number) => {
    result.compared++;
    const ok = actual != null && expected !== null && Math.abs(actual - expected) <= relative * Math.abs(expected);
    if (!ok && !(actual == null && expected === null)) {
      result.differences.push(`${what}: report ${actual}, scan ${expected} (allowed ${relative} relative)`);
    }
  };
  const summary = (where: string, s: VariantSummaryDto, row: ScanRow) => {
    same(`${where} requests`, s.requests, row.requests);
    const m = s.metrics;
    close(`${where} error rate`, m.error_rate.value?.value, row.errors / row.requests, ROUNDING);
    same(`${where} rating count`, m.rating.count, row.rating_count);
    same(`${where} rating distribution`, m.rating.distribution, row.rating_hist);
    close(`${where} mean rating`, m.rating.value?.value, row.rating_mean, ROUNDING);
    close(`${where} cost per request`, m.cost.value?.value, row.cost_mean, FLOAT_SUM_PRECISION);
    QUANTILES.forEach((q, i) => {
      const key = `p${Math.round(q * 100)}` as "p50" | "p95" | "p99";
      const value = m.latency.quantiles?.[key].value;
      if (value !== undefined) result.worstQuantile = Math.max(result.worstQuantile, Math.abs(value / row.latency[i] - 1));
      close(`${where} latency ${key}`, value, row.latency[i], QUANTILE_PRECISION);
    });
  };
  // The rollout began with its first outcome and never advanced: its one stage holds them all.
  same("stages reached", report.stages.length, 1);
  for (const variant of ["stable", "canary"] as const) {
    const row = scan.find((r) => r.variant === variant);
    if (!row) {
      result.differences.push(`${variant}: the scan found no outcomes`);
      continue;
    }
    summary(`${variant}, whole rollout`, report[variant], row);
    if (report.stages[0]) summary(`${variant}, stage 1`, report.stages[0][variant], row);
    type Point = SeriesDto["points"][number]["stable"];
    const total = (pick: (p: Point) => number) => series.points.reduce((n, p) => n + pick(p[variant]), 0);
    same(`${variant}, series Σ requests`, total((p) => p.requests), row.requests);
    same(`${variant}, series Σ ratings`, total((p) => p.metrics.rating.count), row.rating_count);
  }
  return result;
}
