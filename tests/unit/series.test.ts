import { describe, expect, it } from "vitest";
import { MAX_POINTS, prepareSeries } from "@/lib/analysis/series";
import type { MinuteRow } from "@/lib/analysis/stats-repo";
import { LATENCY_BUCKETS, latencyBucket } from "@/lib/metrics/latency-buckets";

const minute = (m: number) => new Date(Date.UTC(2026, 10, 26, 10, m));
function row(m: number, variant: "stable" | "canary", count: number, errors: number, latencyMs: number, ratings: number[] = [0, 0, 0, 0, 0]): MinuteRow {
  const latencyHist = new Array<number>(LATENCY_BUCKETS).fill(0);
  latencyHist[latencyBucket(latencyMs)] = count;
  return { minute: minute(m), variant, count, errors, ratingHist: ratings, latencyHist, costSum: count * 0.002, costSqSum: count * 0.002 ** 2, costCount: count };
}

describe("chart series from rollups", () => {
  it("has a point per minute, with nulls where nothing was measured (a gap, not a zero)", () => {
    const series = prepareSeries([row(0, "stable", 95, 1, 1000), row(0, "canary", 5, 1, 2000, [0, 1, 0, 1, 0]), row(2, "stable", 90, 0, 1000)], minute(0), minute(3));
    expect(series.resolutionMinutes).toBe(1);
    expect(series.points.map((p) => p.t)).toEqual([minute(0), minute(1), minute(2), minute(3)]);
    const [first, gap, stableOnly] = series.points;
    expect(first.canary).toMatchObject({ requests: 5, errorRate: 0.2, meanRating: 3, ratingCount: 2, costPerRequest: 0.002 });
    expect(first.canaryShare).toBe(0.05);
    expect(first.canary.p95Ms! / first.stable.p95Ms!).toBeCloseTo(2, 1);
    expect(gap).toMatchObject({ canaryShare: null, stable: { requests: 0, errorRate: null, p95Ms: null, meanRating: null }, canary: { errorRate: null } });
    expect(stableOnly).toMatchObject({ canaryShare: 0, canary: { errorRate: null }, stable: { errorRate: 0 } });
  });

  it("widens the buckets of a long rollout so a chart gets at most a few hundred points", () => {
    const series = prepareSeries([row(0, "stable", 10, 0, 900), row(7, "stable", 10, 0, 900)], minute(0), new Date(minute(0).getTime() + 3 * 86_400_000));
    expect(series.resolutionMinutes).toBe(15);
    expect(series.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(series.points[0].stable.requests).toBe(20); // minutes 0 and 7 share the first 15-minute bucket
  });
});
