// Latency histograms: 8 log-spaced buckets per doubling (each 9 % wide), so a quantile read from
// summed per-minute histograms lies in the same bucket as the exact one; reading it inside the
// bucket, with the bucket's requests spread across it (lib/analysis/variant-stats.ts), usually
// comes much closer. Bucket 0 is [0, 1) ms; bucket k ≥ 1 is [2^((k-1)/8), 2^(k/8)) ms; the last bucket
// also takes everything above 2^22 ms (70 minutes), beyond the largest latency accepted.

export const BUCKETS_PER_DOUBLING = 8;
export const LATENCY_BUCKETS = BUCKETS_PER_DOUBLING * 22 + 1;

export function latencyBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(LATENCY_BUCKETS - 1, 1 + Math.floor(BUCKETS_PER_DOUBLING * Math.log2(ms)));
}

/** [lower, upper) in ms of bucket k. */
export function latencyBucketBounds(k: number): [number, number] {
  if (k <= 0) return [0, 1];
  return [2 ** ((k - 1) / BUCKETS_PER_DOUBLING), 2 ** (k / BUCKETS_PER_DOUBLING)];
}
