import { describe, expect, it } from "vitest";
import { LATENCY_BUCKETS, latencyBucket, latencyBucketBounds } from "@/lib/metrics/latency-buckets";
import { MAX_LATENCY_MS } from "@/lib/limits";

describe("latency buckets", () => {
  it("put every latency inside its bucket's bounds, in order, within 4.5% of the bucket's middle", () => {
    let previous = 0;
    for (let ms = 0; ms <= MAX_LATENCY_MS; ms = ms < 100 ? ms + 1 : Math.ceil(ms * 1.013)) {
      const k = latencyBucket(ms);
      const [lower, upper] = latencyBucketBounds(k);
      expect(ms).toBeGreaterThanOrEqual(lower);
      expect(ms).toBeLessThan(upper);
      expect(k).toBeGreaterThanOrEqual(previous);
      previous = k;
      if (ms >= 1) expect(Math.abs(ms / Math.sqrt(lower * upper) - 1)).toBeLessThan(0.045);
    }
    expect(latencyBucket(MAX_LATENCY_MS)).toBeLessThan(LATENCY_BUCKETS - 1);
  });

  it("pins the edges: 0, sub-millisecond, exact powers of two, and beyond the last bucket", () => {
    expect([latencyBucket(0), latencyBucket(0.4), latencyBucket(1), latencyBucket(2), latencyBucket(1024)]).toEqual([0, 0, 1, 9, 81]);
    expect(latencyBucket(Number.MAX_VALUE)).toBe(LATENCY_BUCKETS - 1);
    expect(latencyBucket(Number.NaN)).toBe(0);
  });
});
