// Chart rows for the rollout page, one chart per metric, from the series endpoint's points.
// Pure ("prepare" in the house style): null stays null — a gap the chart draws as a gap —
// and the guardrail's limit comes from the judge's own verdict, so the line on the chart is
// the line the controller acts on.

import type { SeriesDto } from "./series";

export type ChartMetric = "errorRate" | "meanRating" | "p50Ms" | "p95Ms" | "costPerRequest" | "canaryShare";

export interface ChartSpec {
  metric: ChartMetric;
  title: string;
  unit: "percent" | "stars" | "ms" | "usd";
  /** The judge's guardrail whose limit is drawn on this chart. */
  guardrail?: "error_rate" | "rating" | "latency" | "cost";
  /** Only the canary has a value (its share of traffic). */
  canaryOnly?: boolean;
}

export const CHARTS: readonly ChartSpec[] = [
  { metric: "errorRate", title: "Error rate", unit: "percent", guardrail: "error_rate" },
  { metric: "meanRating", title: "Mean rating", unit: "stars", guardrail: "rating" },
  { metric: "p50Ms", title: "p50 latency", unit: "ms" },
  { metric: "p95Ms", title: "p95 latency", unit: "ms", guardrail: "latency" },
  { metric: "costPerRequest", title: "Cost per request", unit: "usd", guardrail: "cost" },
  { metric: "canaryShare", title: "Canary share of traffic", unit: "percent", canaryOnly: true },
];

/** A point of the series endpoint, as the server builds it or (t an ISO string) as JSON brings it. */
export type SeriesPoint = Omit<SeriesDto["points"][number], "t"> & { t: string | Date };
type VariantPoint = SeriesPoint["stable"];

export interface ChartRow {
  t: number;
  stable: number | null;
  canary: number | null;
  /** What each value rests on: requests, or rating count for mean rating. */
  stableCount: number;
  canaryCount: number;
}

export function prepareChart(points: readonly SeriesPoint[], metric: ChartMetric): ChartRow[] {
  return points.map((p) => {
    const t = typeof p.t === "string" ? Date.parse(p.t) : p.t.getTime();
    if (metric === "canaryShare") {
      const total = p.stable.requests + p.canary.requests;
      return { t, stable: null, canary: p.canaryShare, stableCount: total, canaryCount: p.canary.requests };
    }
    const count = (v: VariantPoint) => (metric === "meanRating" ? v.ratingCount : v.requests);
    return { t, stable: p.stable[metric], canary: p.canary[metric], stableCount: count(p.stable), canaryCount: count(p.canary) };
  });
}

export interface ChartSummary {
  /** Buckets where either variant measured something. */
  buckets: number;
  /** The newest such bucket, or null before any data. */
  last: ChartRow | null;
  /** What the canary line rests on over the whole chart: only grows while traffic flows. */
  canaryTotal: number;
}

/** The chart's caption: its latest values and how much data it rests on. */
export function summarizeChart(rows: readonly ChartRow[]): ChartSummary {
  const measured = rows.filter((r) => r.canary !== null || r.stable !== null);
  return { buckets: measured.length, last: measured[measured.length - 1] ?? null, canaryTotal: rows.reduce((sum, r) => sum + r.canaryCount, 0) };
}

/** The horizontal line to draw: the verdict's limit, or the stage's target share for traffic. */
export function chartLimit(spec: ChartSpec, verdicts: readonly { guardrail: string; limit: number | null }[], stagePercent: number | null): number | null {
  if (spec.metric === "canaryShare") return stagePercent === null ? null : stagePercent / 100;
  if (!spec.guardrail) return null;
  return verdicts.find((v) => v.guardrail === spec.guardrail)?.limit ?? null;
}

export function formatValue(value: number | null, unit: ChartSpec["unit"]): string {
  if (value === null || !Number.isFinite(value)) return "—";
  switch (unit) {
    case "percent":
      return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)}%`;
    case "stars":
      return value.toFixed(2);
    case "ms":
      return `${Math.round(value)} ms`;
    case "usd":
      return `$${value < 0.01 ? value.toFixed(5) : value.toFixed(4)}`;
  }
}
