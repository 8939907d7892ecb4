// Chart rows for the rollout page, one chart per metric of the rollout (the report's `metrics`:
// the registry's built-ins and the config's custom scores), plus a median chart beside each
// quantile metric and the canary's share of traffic. Pure ("prepare" in the house style): null
// stays null — a gap the chart draws as a gap — and a guardrail's limit comes from the judge's
// own verdict, so the line on the chart is the line the controller acts on.

import type { MetricUnit } from "../guardrails/registry";
import type { MetricInfoDto } from "./report-schemas";
import type { SeriesDto } from "./series";

export type ChartUnit = MetricUnit;

export interface ChartSpec {
  /** Unique per chart: the metric's key, `<key>:median`, or `canary_share`. */
  id: string;
  /** The metric whose series the chart draws (null: the canary's share of traffic). */
  metric: string | null;
  /** Which value of the metric's points: its own, or the median of a quantile metric. */
  value: "value" | "median";
  title: string;
  unit: ChartUnit;
  /** What one count is, for captions: requests, ratings, scored. */
  samples: string;
  /** The verdict (by metric key) whose limit is drawn on this chart. */
  verdict: string | null;
  /** Only the canary has a value (its share of traffic). */
  canaryOnly?: boolean;
}

/** The charts of a rollout, in the order of its metrics. */
export function chartsFor(metrics: readonly MetricInfoDto[]): ChartSpec[] {
  const charts = metrics.flatMap((m): ChartSpec[] => {
    // A tracked score is charted like a guardrail, without a limit line, and says it is not judged (as the variant table does).
    const title = m.guardrail ? m.label : `${m.label} (tracked)`;
    const own: ChartSpec = { id: m.key, metric: m.key, value: "value", title, unit: m.unit, samples: m.samples, verdict: m.guardrail ? m.key : null };
    if (m.kind !== "latency_quantile") return [own];
    return [{ ...own, id: `${m.key}:median`, value: "median", title: m.label.replace(/^p\d+/, "p50"), verdict: null }, own];
  });
  return [...charts, { id: "canary_share", metric: null, value: "value", title: "Canary share of traffic", unit: "percent", samples: "requests", verdict: null, canaryOnly: true }];
}

/** A point of the series endpoint, as the server builds it or (t an ISO string) as JSON brings it. */
export type SeriesPoint = Omit<SeriesDto["points"][number], "t"> & { t: string | Date };
type VariantPoint = SeriesPoint["stable"];

export interface ChartRow {
  t: number;
  stable: number | null;
  canary: number | null;
  /** What each value rests on: requests, ratings, scored requests. */
  stableCount: number;
  canaryCount: number;
}

export function prepareChart(points: readonly SeriesPoint[], spec: ChartSpec): ChartRow[] {
  return points.map((p) => {
    const t = typeof p.t === "string" ? Date.parse(p.t) : p.t.getTime();
    if (spec.metric === null) {
      const total = p.stable.requests + p.canary.requests;
      return { t, stable: null, canary: p.canaryShare, stableCount: total, canaryCount: p.canary.requests };
    }
    const read = (v: VariantPoint) => {
      const m = v.metrics[spec.metric!];
      return { value: (spec.value === "median" ? m?.median : m?.value) ?? null, count: m?.count ?? 0 };
    };
    const stable = read(p.stable);
    const canary = read(p.canary);
    return { t, stable: stable.value, canary: canary.value, stableCount: stable.count, canaryCount: canary.count };
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
export function chartLimit(spec: ChartSpec, verdicts: readonly { key: string; limit: number | null }[], stagePercent: number | null): number | null {
  if (spec.canaryOnly) return stagePercent === null ? null : stagePercent / 100;
  if (!spec.verdict) return null;
  return verdicts.find((v) => v.key === spec.verdict)?.limit ?? null;
}
