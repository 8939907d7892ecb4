import type { Metric } from "../guardrails/registry";
import { LATENCY_BUCKETS, latencyBucket, latencyBucketBounds } from "../metrics/latency-buckets";

// What the judge knows of one variant: sums that per-minute rollups add up exactly, so the same
// numbers come from one rollup row, a whole stage, or a whole rollout. Keyed by metric key
// (lib/guardrails/registry.ts): `sums` for metrics judged from count, sum and sum of squares (the
// error rate, cost, every custom score), `hists` for those read from a histogram (latency, ratings).
// A key that is missing has no data yet.

export interface Sums {
  n: number;
  sum: number;
  sqSum: number;
}

export interface VariantStats {
  requests: number;
  sums: Record<string, Sums>;
  hists: Record<string, number[]>;
}

export function emptyStats(): VariantStats {
  return { requests: 0, sums: {}, hists: {} };
}

const NO_SUMS: Sums = { n: 0, sum: 0, sqSum: 0 };

/** Adds n values with this sum and sum of squares to the metric's sums (mutates `stats`). */
export function addSums(stats: VariantStats, key: string, n: number, sum: number, sqSum: number): void {
  const into = (stats.sums[key] ??= { n: 0, sum: 0, sqSum: 0 });
  into.n += n;
  into.sum += sum;
  into.sqSum += sqSum;
}

/** Adds counts into the metric's histogram, slot by slot (mutates `stats`). */
export function addHist(stats: VariantStats, key: string, counts: readonly number[]): void {
  const into = (stats.hists[key] ??= []);
  for (let k = 0; k < counts.length; k++) into[k] = (into[k] ?? 0) + (counts[k] ?? 0);
}

/** Adds `more` into `into` (mutates it) and returns it. */
export function addStats(into: VariantStats, more: VariantStats): VariantStats {
  into.requests += more.requests;
  for (const [key, s] of Object.entries(more.sums)) addSums(into, key, s.n, s.sum, s.sqSum);
  for (const [key, counts] of Object.entries(more.hists)) addHist(into, key, counts);
  return into;
}

// ln of each latency bucket's geometric middle: the value a latency in that bucket is taken to be.
const LOG_MIDDLE = Array.from({ length: LATENCY_BUCKETS }, (_, k) => {
  const [lower, upper] = latencyBucketBounds(k);
  return k === 0 ? Math.log(0.5) : (Math.log(lower) + Math.log(upper)) / 2;
});

export interface Moments {
  n: number;
  sum: number;
  mean: number;
  variance: number;
}

export function fromSums({ n, sum, sqSum }: Sums): Moments {
  const mean = n ? sum / n : 0;
  return { n, sum, mean, variance: n > 1 ? Math.max(0, (sqSum - n * mean * mean) / (n - 1)) : 0 };
}

// Plain loops: the judge runs these on every check, and the simulation test millions of times.
function histSums(counts: readonly number[], value: (slot: number) => number): Sums {
  let n = 0;
  let sum = 0;
  let sqSum = 0;
  for (let k = 0; k < counts.length; k++) {
    const count = counts[k];
    if (!count) continue;
    const x = value(k);
    n += count;
    sum += count * x;
    sqSum += count * x * x;
  }
  return { n, sum, sqSum };
}

/**
 * A metric's count, sum and sum of squares: from its sums, or from its histogram when it is read
 * from one with a value per slot (a rating histogram's slots are the stars 1..5).
 */
export function sumsOf(stats: VariantStats, metric: Pick<Metric, "key" | "rollup">): Sums {
  const source = metric.rollup;
  if (source && "histogram" in source && source.values !== "latency_buckets") {
    const values = source.values;
    return histSums(stats.hists[metric.key] ?? [], (k) => values[k]);
  }
  return stats.sums[metric.key] ?? NO_SUMS;
}

/** Moments of ln(latency in ms), from a latency histogram. */
export function logLatencyMoments(hist: readonly number[]): Moments {
  return fromSums(histSums(hist, (k) => LOG_MIDDLE[k]));
}

export function histTotal(hist: readonly number[]): number {
  let n = 0;
  for (const count of hist) n += count;
  return n;
}

/**
 * The latency in ms below which `rank` (0..n, fractional) of a histogram's n requests lie: the
 * inverse of latencyCountAbove, with a bucket's requests spread evenly on a log scale across it
 * (bucket 0, [0, 1) ms, linearly). Rank 0 is the lower bound of the lowest bucket with data, rank
 * n the upper bound of the highest, so neighbouring ranks never read as one latency even when
 * every request fell in one bucket.
 */
export function latencyAtRank(hist: readonly number[], rank: number): number {
  const n = histTotal(hist);
  const r = Math.min(n, Math.max(0, rank));
  let seen = 0;
  for (let k = 0; k < hist.length; k++) {
    const count = hist[k];
    if (!count) continue;
    if (seen + count >= r) {
      const share = (r - seen) / count;
      const [lower, upper] = latencyBucketBounds(k);
      return k === 0 ? share * upper : lower * (upper / lower) ** share;
    }
    seen += count;
  }
  return latencyBucketBounds(LATENCY_BUCKETS - 1)[1];
}

/** The q-quantile of latency in ms (interpolated in its bucket, see latencyAtRank), or null without data. */
export function latencyQuantile(hist: readonly number[], q: number): number | null {
  const n = histTotal(hist);
  return n ? latencyAtRank(hist, q * n) : null;
}

/**
 * How many requests took longer than `ms`, from a latency histogram: whole buckets above it, and
 * of the bucket it falls in the share of the bucket's log-width above it (latencies taken as
 * spread evenly on a log scale within a bucket). Fractional, so the count moves smoothly as `ms` moves.
 */
export function latencyCountAbove(hist: readonly number[], ms: number): number {
  const at = latencyBucket(ms);
  let above = 0;
  for (let k = at + 1; k < hist.length; k++) above += hist[k];
  const [lower, upper] = latencyBucketBounds(at);
  const share = at === 0 ? (upper - Math.max(0, ms)) / upper : (Math.log(upper) - Math.log(ms)) / (Math.log(upper) - Math.log(lower));
  return above + (hist[at] ?? 0) * Math.min(1, Math.max(0, share));
}
