import type { Metric } from "../guardrails/registry";
import type { IntervalDto, MetricSummaryDto, VariantSummaryDto } from "./report-schemas";
import { fromSums, histTotal, latencyAtRank, sumsOf, type Moments, type VariantStats } from "./variant-stats";

// Per-variant statistics with 95 % intervals, from rollup sums, for every metric of a rollout.
// Rates use Wilson's interval, means the normal one from n, sum and sum of squares, and quantiles
// the order-statistic interval: the ranks n·q ± 1.96·√(n·q·(1−q)) read off the histogram with
// each bucket's requests spread across it (variant-stats latencyAtRank), so the ends differ even
// when every request fell in one bucket. Each interval is honest about how few samples there are;
// one without width says why (`zeroWidth`), and only a mean can have none.

const Z = 1.96;
/**
 * A spread below a millionth of the mean is rounding in the sums, not data: sqSum − n·mean² of n
 * equal values comes out near 1e-16·n·mean², never exactly 0.
 */
const SAME_VALUES = 1e-12;

export function wilson(events: number, n: number) {
  const p = events / n;
  const denominator = 1 + (Z * Z) / n;
  const centre = (p + (Z * Z) / (2 * n)) / denominator;
  const half = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / denominator;
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function meanInterval({ n, mean, variance }: Moments): IntervalDto {
  if (n === 1) return { value: mean, low: mean, high: mean, zeroWidth: "one_sample" };
  if (variance <= SAME_VALUES * mean * mean) return { value: mean, low: mean, high: mean, zeroWidth: "all_same" };
  const half = Z * Math.sqrt(variance / n);
  return { value: mean, low: mean - half, high: mean + half };
}

function quantileInterval(hist: readonly number[], n: number, q: number): IntervalDto {
  const spread = Z * Math.sqrt(n * q * (1 - q));
  const at = (rank: number) => latencyAtRank(hist, rank);
  return { value: at(q * n), low: at(q * n - spread), high: at(q * n + spread) };
}

function summarizeMetric(stats: VariantStats, metric: Metric): MetricSummaryDto {
  if (metric.kind === "latency_quantile") {
    const hist = stats.hists[metric.key] ?? [];
    const n = histTotal(hist);
    if (!n) return { value: null, count: 0, quantiles: null };
    return {
      value: quantileInterval(hist, n, metric.quantile ?? 0.5),
      count: n,
      quantiles: { p50: quantileInterval(hist, n, 0.5), p95: quantileInterval(hist, n, 0.95), p99: quantileInterval(hist, n, 0.99) },
    };
  }
  const sums = sumsOf(stats, metric);
  const values = metric.rollup && "histogram" in metric.rollup && Array.isArray(metric.rollup.values) ? metric.rollup.values : null;
  const histogram = values ? { distribution: values.map((_, k) => stats.hists[metric.key]?.[k] ?? 0) } : {};
  if (!sums.n) return { value: null, count: 0, ...histogram };
  const value = metric.kind === "proportion" ? wilson(sums.sum, sums.n) : meanInterval(fromSums(sums));
  return { value, count: sums.n, ...histogram };
}

export function summarize(stats: VariantStats, metrics: readonly Metric[]): VariantSummaryDto {
  return { requests: stats.requests, metrics: Object.fromEntries(metrics.map((m) => [m.key, summarizeMetric(stats, m)])) };
}
