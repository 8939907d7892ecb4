import { describe, expect, it } from "vitest";
import { chartLimit, chartsFor, prepareChart, summarizeChart, type SeriesPoint } from "@/lib/analysis/chart-series";
import { metricInfo, rolloutMetrics } from "@/lib/analysis/rollout-metrics";

// The charts of a rollout with one custom score (guardrail) and one tracked.
const metrics = rolloutMetrics(
  [
    { key: "groundedness", label: "Groundedness", description: "", kind: "numeric", direction: "higher_is_better", guardrail: true },
    { key: "thumbs_down", label: "Thumbs down", description: "", kind: "boolean", direction: "lower_is_better", guardrail: false },
  ],
  { groundedness: { form: "difference", value: 0.03 } },
).map(metricInfo);
const charts = chartsFor(metrics);
const spec = (id: string) => charts.find((c) => c.id === id)!;

const empty = { requests: 0, metrics: {} };
const points: SeriesPoint[] = [
  {
    t: "2026-01-01T10:00:00.000Z",
    stable: { requests: 90, metrics: { error_rate: { value: 0.01, count: 90 }, rating: { value: 4.2, count: 30 }, latency: { value: 900, count: 90, median: 400 }, groundedness: { value: 0.8, count: 88 } } },
    canary: { requests: 10, metrics: { error_rate: { value: 0.1, count: 10 }, rating: { value: null, count: 0 }, latency: { value: 1200, count: 10, median: 450 }, groundedness: { value: 0.7, count: 9 } } },
    canaryShare: 0.1,
  },
  { t: "2026-01-01T10:01:00.000Z", stable: empty, canary: empty, canaryShare: null },
];

describe("chartsFor", () => {
  it("has a chart per metric of the rollout, a median beside each quantile, and the traffic share last", () => {
    expect(charts.map((c) => c.id)).toEqual(["error_rate", "latency:median", "latency", "rating", "cost", "groundedness", "thumbs_down", "canary_share"]);
    expect(spec("latency:median").title).toBe("p50 latency");
    expect(spec("groundedness")).toMatchObject({ unit: "score", verdict: "groundedness" });
    expect(spec("groundedness").title).toBe("Groundedness");
    expect(spec("thumbs_down")).toMatchObject({ title: "Thumbs down (tracked)", unit: "percent", verdict: null }); // tracked: no limit line
  });
});

describe("prepareChart", () => {
  it("keeps a minute without data as null, never 0", () => {
    for (const chart of charts) {
      const rows = prepareChart(points, chart);
      expect(rows[1].canary).toBeNull();
      expect(rows[1].stable).toBeNull();
    }
  });

  it("takes each variant's value with what it rests on", () => {
    expect(prepareChart(points, spec("rating"))[0]).toEqual({ t: Date.parse("2026-01-01T10:00:00.000Z"), stable: 4.2, canary: null, stableCount: 30, canaryCount: 0 });
    expect(prepareChart(points, spec("error_rate"))[0]).toMatchObject({ stable: 0.01, canary: 0.1, stableCount: 90, canaryCount: 10 });
    expect(prepareChart(points, spec("latency:median"))[0]).toMatchObject({ stable: 400, canary: 450 });
    expect(prepareChart(points, spec("groundedness"))[0]).toMatchObject({ stable: 0.8, canary: 0.7, canaryCount: 9 });
  });

  it("has only the canary's share on the traffic chart", () => {
    expect(prepareChart(points, spec("canary_share"))[0]).toMatchObject({ stable: null, canary: 0.1 });
  });
});

describe("chartLimit", () => {
  const verdicts = [
    { key: "error_rate", limit: 0.03 },
    { key: "latency", limit: null },
    { key: "groundedness", limit: 0.77 },
  ];
  it("draws the judge's limit of the chart's guardrail, the stage target on traffic, nothing otherwise", () => {
    expect(chartLimit(spec("error_rate"), verdicts, 5)).toBe(0.03);
    expect(chartLimit(spec("latency"), verdicts, 5)).toBeNull();
    expect(chartLimit(spec("latency:median"), verdicts, 5)).toBeNull();
    expect(chartLimit(spec("groundedness"), verdicts, 5)).toBe(0.77);
    expect(chartLimit(spec("canary_share"), verdicts, 5)).toBe(0.05);
  });
});


describe("summarizeChart", () => {
  it("names the newest bucket with data and what the canary line rests on", () => {
    const rows = prepareChart(points, spec("error_rate"));
    expect(summarizeChart(rows)).toEqual({ buckets: 1, last: rows[0], canaryTotal: 10 });
    expect(summarizeChart([])).toEqual({ buckets: 0, last: null, canaryTotal: 0 });
  });
});
