import { z } from "zod";
import type { Metric } from "../guardrails/registry";
import { metricValue } from "./metric-values";
import type { MinuteRow } from "./stats-repo";
import { addStats, emptyStats, latencyQuantile, type VariantStats } from "./variant-stats";

// Per-minute rollups as chart series for both variants, one value per metric of the rollout
// (lib/guardrails/registry.ts plus its custom scores). Pure ("prepare" in the house style): a
// bucket without data is null — a gap the chart shows as a gap — never 0. Long rollouts are put
// into wider buckets so a chart never gets more than MAX_POINTS points.

export const MAX_POINTS = 360;
const RESOLUTIONS_MIN = [1, 5, 15, 60, 360, 1440];

const MetricPoint = z.object({
  value: z.number().nullable(),
  count: z.number().int().describe("what the value rests on: requests, ratings, scored requests"),
  median: z.number().nullable().optional().describe("quantile metrics: the median beside the judged quantile"),
});

const VariantPoint = z.object({
  requests: z.number().int(),
  metrics: z.record(z.string(), MetricPoint).describe("by metric key (see the report's `metrics`)"),
});

export const SeriesDto = z.object({
  resolutionMinutes: z.number().int(),
  points: z.array(
    z.object({
      t: z.date().describe("start of the bucket"),
      stable: VariantPoint,
      canary: VariantPoint,
      canaryShare: z.number().nullable().describe("canary's share of the bucket's requests"),
    }),
  ),
});
export type SeriesDto = z.infer<typeof SeriesDto>;

function point(stats: VariantStats, metrics: readonly Metric[]): z.infer<typeof VariantPoint> {
  return {
    requests: stats.requests,
    metrics: Object.fromEntries(
      metrics.map((metric) => {
        const { value, count } = metricValue(stats, metric);
        const median = metric.kind === "latency_quantile" ? { median: latencyQuantile(stats.hists[metric.key] ?? [], 0.5) } : {};
        return [metric.key, { value, count, ...median }];
      }),
    ),
  };
}

/**
 * Bucket width in minutes for a chart from `from` to `to`: the finest with at most MAX_POINTS
 * points, and at least `finest` (60 when the minutes are no longer kept).
 */
export function resolutionFor(from: Date, to: Date, finest = 1): number {
  const spanMin = Math.max(1, Math.floor((to.getTime() - from.getTime()) / 60_000) + 1);
  return RESOLUTIONS_MIN.find((r) => r >= finest && spanMin / r <= MAX_POINTS) ?? RESOLUTIONS_MIN[RESOLUTIONS_MIN.length - 1];
}

/** Series from `from` to `to`, every bucket present; rows per minute or (for widths of an hour and up) per hour. */
export function prepareSeries(rows: readonly MinuteRow[], from: Date, to: Date, metrics: readonly Metric[], finest = 1): SeriesDto {
  const resolutionMinutes = resolutionFor(from, to, finest);
  const step = resolutionMinutes * 60_000;
  const start = Math.floor(from.getTime() / step) * step;
  const count = Math.floor((to.getTime() - start) / step) + 1;
  const buckets = Array.from({ length: count }, () => ({ stable: emptyStats(), canary: emptyStats() }));
  for (const row of rows) {
    const index = Math.floor((row.minute.getTime() - start) / step);
    if (index < 0 || index >= count) continue;
    addStats(buckets[index][row.variant], row.stats);
  }
  return {
    resolutionMinutes,
    points: buckets.map((b, i) => {
      const total = b.stable.requests + b.canary.requests;
      return { t: new Date(start + i * step), stable: point(b.stable, metrics), canary: point(b.canary, metrics), canaryShare: total ? b.canary.requests / total : null };
    }),
  };
}
