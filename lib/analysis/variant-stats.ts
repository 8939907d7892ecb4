import { LATENCY_BUCKETS, latencyBucket, latencyBucketBounds } from "../metrics/latency-buckets";

// What the judge knows of one variant: sums that per-minute rollups add up exactly, so the same
// numbers come from one rollup row, a whole stage, or a whole rollout.

export interface VariantStats {
  requests: number;
  errors: number;
  /** Counts per latency bucket (lib/metrics/latency-buckets.ts). */
  latencyHist: number[];
  /** Counts of ratings 1..5. */
  ratingHist: number[];
  costSum: number;
  costSqSum: number;
  costCount: number;
}

export function emptyStats(): VariantStats {
  return { requests: 0, errors: 0, latencyHist: new Array<number>(LATENCY_BUCKETS).fill(0), ratingHist: [0, 0, 0, 0, 0], costSum: 0, costSqSum: 0, costCount: 0 };
}

/** Adds `more` into `into` (mutates it) and returns it. */
export function addStats(into: VariantStats, more: VariantStats): VariantStats {
  into.requests += more.requests;
  into.errors += more.errors;
  more.latencyHist.forEach((count, k) => (into.latencyHist[k] = (into.latencyHist[k] ?? 0) + count));
  more.ratingHist.forEach((count, k) => (into.ratingHist[k] += count));
  into.costSum += more.costSum;
  into.costSqSum += more.costSqSum;
  into.costCount += more.costCount;
  return into;
}

// ln of each bucket's geometric middle: the value a latency in that bucket is taken to be.
const LOG_MIDDLE = Array.from({ length: LATENCY_BUCKETS }, (_, k) => {
  const [lower, upper] = latencyBucketBounds(k);
  return k === 0 ? Math.log(0.5) : (Math.log(lower) + Math.log(upper)) / 2;
});

const RATINGS = [1, 2, 3, 4, 5];

export interface Moments {
  n: number;
  sum: number;
  mean: number;
  variance: number;
}

// Plain loops: the judge runs these on every check, and the simulation test millions of times.
function moments(counts: readonly number[], values: readonly number[]): Moments {
  let n = 0;
  let sum = 0;
  let squares = 0;
  for (let k = 0; k < counts.length; k++) {
    const count = counts[k];
    if (!count) continue;
    const x = values[k];
    n += count;
    sum += count * x;
    squares += count * x * x;
  }
  return fromSums(n, sum, squares);
}

function fromSums(n: number, sum: number, squares: number): Moments {
  const mean = n ? sum / n : 0;
  return { n, sum, mean, variance: n > 1 ? Math.max(0, (squares - n * mean * mean) / (n - 1)) : 0 };
}

/** Moments of cost per request, over the requests that reported a cost. */
export function costMoments(stats: VariantStats): Moments {
  return fromSums(stats.costCount, stats.costSum, stats.costSqSum);
}

/** Moments of ln(latency in ms), from the histogram. */
export function logLatencyMoments(stats: VariantStats): Moments {
  return moments(stats.latencyHist, LOG_MIDDLE);
}

export function ratingMoments(stats: VariantStats): Moments {
  return moments(stats.ratingHist, RATINGS);
}

/** The q-quantile of latency in ms (the geometric middle of its bucket), or null without data. */
export function latencyQuantile(stats: VariantStats, q: number): number | null {
  let n = 0;
  for (const count of stats.latencyHist) n += count;
  if (!n) return null;
  const rank = q * n;
  let seen = 0;
  for (let k = 0; k < stats.latencyHist.length; k++) {
    seen += stats.latencyHist[k];
    if (seen >= rank) return Math.exp(LOG_MIDDLE[k]);
  }
  return Math.exp(LOG_MIDDLE[LATENCY_BUCKETS - 1]);
}

/**
 * How many requests took longer than `ms`, from the histogram: whole buckets above it, and of the
 * bucket it falls in the share of the bucket's log-width above it (latencies taken as spread evenly
 * on a log scale within a bucket). Fractional, so the count moves smoothly as `ms` moves.
 */
export function latencyCountAbove(stats: VariantStats, ms: number): number {
  const at = latencyBucket(ms);
  let above = 0;
  for (let k = at + 1; k < stats.latencyHist.length; k++) above += stats.latencyHist[k];
  const [lower, upper] = latencyBucketBounds(at);
  const share = at === 0 ? (upper - Math.max(0, ms)) / upper : (Math.log(upper) - Math.log(ms)) / (Math.log(upper) - Math.log(lower));
  return above + (stats.latencyHist[at] ?? 0) * Math.min(1, Math.max(0, share));
}
