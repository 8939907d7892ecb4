import { describe, expect, it } from "vitest";
import { rolloutMetrics } from "@/lib/analysis/rollout-metrics";
import { MAX_POINTS, prepareSeries } from "@/lib/analysis/series";
import type { MinuteRow } from "@/lib/analysis/stats-repo";
import { addHist, addSums, emptyStats } from "@/lib/analysis/variant-stats";
import { LATENCY_BUCKETS, latencyBucket, latencyBucketBounds } from "@/lib/metrics/latency-buckets";

const metrics = rolloutMetrics([{ key: "valid_json", label: "Valid JSON", description: "", kind: "boolean", direction: "higher_is_better", guardrail: true }], {});

const minute = (m: number) => new Date(Date.UTC(2026, 10, 26, 10, m));
function row(m: number, variant: "stable" | "canary", count: number, errors: number, latencyMs: number, ratings: number[] = [0, 0, 0, 0, 0]): MinuteRow {
  const latencyHist = new Array<number>(LATENCY_BUCKETS).fill(0);
  latencyHist[latencyBucket(latencyMs)] = count;
  const stats = emptyStats();
  stats.requests = count;
  addSums(stats, "error_rate", count, errors, errors);
  addSums(stats, "cost", count, count * 0.002, count * 0.002 ** 2);
  addSums(stats, "valid_json", count, count - errors, count - errors);
  addHist(stats, "latency", latencyHist);
  addHist(stats, "rating", ratings);
  return { minute: minute(m), variant, stats };
}

describe("chart series from rollups", () => {
  it("has a point per minute, with nulls where nothing was measured (a gap, not a zero)", () => {
    const series = prepareSeries([row(0, "stable", 95, 1, 1000), row(0, "canary", 5, 1, 2000, [0, 1, 0, 1, 0]), row(2, "stable", 90, 0, 1000)], minute(0), minute(3), metrics);
    expect(series.resolutionMinutes).toBe(1);
    expect(series.points.map((p) => p.t)).toEqual([minute(0), minute(1), minute(2), minute(3)]);
    const [first, gap, stableOnly] = series.points;
    expect(first.canary).toMatchObject({
      requests: 5,
      metrics: { error_rate: { value: 0.2, count: 5 }, rating: { value: 3, count: 2 }, cost: { value: 0.002, count: 5 }, valid_json: { value: 0.8, count: 5 } },
    });
    expect(first.canaryShare).toBe(0.05);
    expect(first.canary.metrics.latency.value! / first.stable.metrics.latency.value!).toBeCloseTo(2, 1);
    // One latency bucket: the median and the p95 both inside it, the median lower (latencyAtRank).
    const [lower, upper] = latencyBucketBounds(latencyBucket(2000));
    expect(first.canary.metrics.latency.median).toBeGreaterThan(lower);
    expect(first.canary.metrics.latency.median).toBeLessThan(first.canary.metrics.latency.value!);
    expect(first.canary.metrics.latency.value).toBeLessThan(upper);
    const nothing = { value: null, count: 0 };
    expect(gap).toMatchObject({ canaryShare: null, stable: { requests: 0, metrics: { error_rate: nothing, latency: nothing, rating: nothing, valid_json: nothing } }, canary: { metrics: { error_rate: nothing } } });
    expect(stableOnly).toMatchObject({ canaryShare: 0, canary: { metrics: { error_rate: nothing } }, stable: { metrics: { error_rate: { value: 0 } } } });
  });

  it("widens the buckets of a long rollout so a chart gets at most a few hundred points", () => {
    const series = prepareSeries([row(0, "stable", 10, 0, 900), row(7, "stable", 10, 0, 900)], minute(0), new Date(minute(0).getTime() + 3 * 86_400_000), metrics);
    expect(series.resolutionMinutes).toBe(15);
    expect(series.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(series.points[0].stable.requests).toBe(20); // minutes 0 and 7 share the first 15-minute bucket
  });
});
