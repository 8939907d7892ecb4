import { z } from "zod";
import type { MinuteRow } from "./stats-repo";
import { addStats, emptyStats, latencyQuantile, ratingMoments, type VariantStats } from "./variant-stats";

// Per-minute rollups as chart series for both variants. Pure ("prepare" in the house style):
// a bucket without data is null — a gap the chart shows as a gap — never 0. Long rollouts are
// put into wider buckets so a chart never gets more than MAX_POINTS points.

export const MAX_POINTS = 360;
const RESOLUTIONS_MIN = [1, 5, 15, 60, 360, 1440];

const VariantPoint = z.object({
  requests: z.number().int(),
  errorRate: z.number().nullable(),
  meanRating: z.number().nullable(),
  ratingCount: z.number().int(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  costPerRequest: z.number().nullable(),
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

function point(stats: VariantStats): z.infer<typeof VariantPoint> {
  const ratings = ratingMoments(stats);
  return {
    requests: stats.requests,
    errorRate: stats.requests ? stats.errors / stats.requests : null,
    meanRating: ratings.n ? ratings.mean : null,
    ratingCount: ratings.n,
    p50Ms: latencyQuantile(stats, 0.5),
    p95Ms: latencyQuantile(stats, 0.95),
    costPerRequest: stats.costCount ? stats.costSum / stats.costCount : null,
  };
}

/** Bucket width in minutes for a chart from `from` to `to`: the finest with at most MAX_POINTS points. */
export function resolutionFor(from: Date, to: Date): number {
  const spanMin = Math.max(1, Math.floor((to.getTime() - from.getTime()) / 60_000) + 1);
  return RESOLUTIONS_MIN.find((r) => spanMin / r <= MAX_POINTS) ?? RESOLUTIONS_MIN[RESOLUTIONS_MIN.length - 1];
}

/** Series from `from` to `to`, every bucket present; rows per minute or (for widths of an hour and up) per hour. */
export function prepareSeries(rows: readonly MinuteRow[], from: Date, to: Date): SeriesDto {
  const resolutionMinutes = resolutionFor(from, to);
  const step = resolutionMinutes * 60_000;
  const start = Math.floor(from.getTime() / step) * step;
  const count = Math.floor((to.getTime() - start) / step) + 1;
  const buckets = Array.from({ length: count }, () => ({ stable: emptyStats(), canary: emptyStats() }));
  for (const row of rows) {
    const index = Math.floor((row.minute.getTime() - start) / step);
    if (index < 0 || index >= count) continue;
    addStats(buckets[index][row.variant], {
      requests: row.count,
      errors: row.errors,
      latencyHist: row.latencyHist,
      ratingHist: row.ratingHist,
      costSum: row.costSum,
      costSqSum: row.costSqSum,
      costCount: row.costCount,
    });
  }
  return {
    resolutionMinutes,
    points: buckets.map((b, i) => {
      const total = b.stable.requests + b.canary.requests;
      return { t: new Date(start + i * step), stable: point(b.stable), canary: point(b.canary), canaryShare: total ? b.canary.requests / total : null };
    }),
  };
}
