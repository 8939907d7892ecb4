import { describe, expect, it } from "vitest";
import { CHARTS, chartLimit, formatValue, prepareChart, summarizeChart, type SeriesPoint } from "@/lib/analysis/chart-series";

const empty = { requests: 0, errorRate: null, meanRating: null, ratingCount: 0, p50Ms: null, p95Ms: null, costPerRequest: null };
const points: SeriesPoint[] = [
  {
    t: "2026-01-01T10:00:00.000Z",
    stable: { requests: 90, errorRate: 0.01, meanRating: 4.2, ratingCount: 30, p50Ms: 400, p95Ms: 900, costPerRequest: 0.002 },
    canary: { requests: 10, errorRate: 0.1, meanRating: null, ratingCount: 0, p50Ms: 450, p95Ms: 1200, costPerRequest: 0.003 },
    canaryShare: 0.1,
  },
  { t: "2026-01-01T10:01:00.000Z", stable: empty, canary: empty, canaryShare: null },
];

describe("prepareChart", () => {
  it("keeps a minute without data as null, never 0", () => {
    for (const spec of CHARTS) {
      const rows = prepareChart(points, spec.metric);
      expect(rows[1].canary).toBeNull();
      expect(rows[1].stable).toBeNull();
    }
  });

  it("takes each variant's value with what it rests on", () => {
    const rows = prepareChart(points, "meanRating");
    expect(rows[0]).toEqual({ t: Date.parse("2026-01-01T10:00:00.000Z"), stable: 4.2, canary: null, stableCount: 30, canaryCount: 0 });
    expect(prepareChart(points, "errorRate")[0]).toMatchObject({ stable: 0.01, canary: 0.1, stableCount: 90, canaryCount: 10 });
  });

  it("has only the canary's share on the traffic chart", () => {
    expect(prepareChart(points, "canaryShare")[0]).toMatchObject({ stable: null, canary: 0.1 });
  });
});

describe("chartLimit", () => {
  const verdicts = [
    { guardrail: "error_rate", limit: 0.03 },
    { guardrail: "latency", limit: null },
  ];
  it("draws the judge's limit of the chart's guardrail, the stage target on traffic, nothing otherwise", () => {
    const spec = (m: string) => CHARTS.find((c) => c.metric === m)!;
    expect(chartLimit(spec("errorRate"), verdicts, 5)).toBe(0.03);
    expect(chartLimit(spec("p95Ms"), verdicts, 5)).toBeNull();
    expect(chartLimit(spec("p50Ms"), verdicts, 5)).toBeNull();
    expect(chartLimit(spec("canaryShare"), verdicts, 5)).toBe(0.05);
  });
});

describe("formatValue", () => {
  it("formats per unit and shows a dash for no data", () => {
    expect(formatValue(0.0123, "percent")).toBe("1.23%");
    expect(formatValue(412.6, "ms")).toBe("413 ms");
    expect(formatValue(null, "stars")).toBe("—");
  });
});

describe("summarizeChart", () => {
  it("names the newest bucket with data and what the canary line rests on", () => {
    const rows = prepareChart(points, "errorRate");
    expect(summarizeChart(rows)).toEqual({ buckets: 1, last: rows[0], canaryTotal: 10 });
    expect(summarizeChart([])).toEqual({ buckets: 0, last: null, canaryTotal: 0 });
  });
});
