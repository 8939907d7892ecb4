import type { VariantSummaryDto } from "./report-schemas";
import { costMoments, latencyQuantile, ratingMoments, type Moments, type VariantStats } from "./variant-stats";

// Per-variant statistics with 95 % intervals, from rollup sums. Rates use Wilson's interval,
// means the normal one, and quantiles the order-statistic interval (the ranks n·q ± 1.96·√(n·q·(1−q))
// read off the histogram), so each interval is honest about how few samples there are.

const Z = 1.96;

export function wilson(events: number, n: number) {
  const p = events / n;
  const denominator = 1 + (Z * Z) / n;
  const centre = (p + (Z * Z) / (2 * n)) / denominator;
  const half = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / denominator;
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function meanInterval({ n, mean, variance }: Moments) {
  const half = Z * Math.sqrt(variance / n);
  return { value: mean, low: mean - half, high: mean + half };
}

function quantileInterval(stats: VariantStats, n: number, q: number) {
  const spread = Z * Math.sqrt(n * q * (1 - q));
  const at = (rank: number) => latencyQuantile(stats, Math.min(1, Math.max(0, rank / n)))!;
  return { value: at(q * n), low: at(Math.max(1, q * n - spread)), high: at(q * n + spread) };
}

export function summarize(stats: VariantStats): VariantSummaryDto {
  const latencyCount = stats.latencyHist.reduce((a, b) => a + b, 0);
  const ratings = ratingMoments(stats);
  return {
    requests: stats.requests,
    errorRate: stats.requests ? wilson(stats.errors, stats.requests) : null,
    latencyMs: latencyCount
      ? { p50: quantileInterval(stats, latencyCount, 0.5), p95: quantileInterval(stats, latencyCount, 0.95), p99: quantileInterval(stats, latencyCount, 0.99) }
      : null,
    rating: { mean: ratings.n ? meanInterval(ratings) : null, count: ratings.n, distribution: [...stats.ratingHist] },
    costPerRequest: stats.costCount ? meanInterval(costMoments(stats)) : null,
  };
}

