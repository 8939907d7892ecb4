import { Prisma } from "../db/generated/client";
import type { DbOrTx } from "../db/types";
import { emptyStats, type VariantStats } from "./variant-stats";

// Sums of a rollout's rollups, per variant, optionally of the minutes from `since` to `until`
// (a stage: minutes are the unit, so a minute in which a stage began counts for both).
// Histograms are summed element-wise in SQL, so a rollout of any length costs one pass over its
// rollup rows, never over raw outcomes.

interface TotalsRow {
  variant: "stable" | "canary";
  requests: bigint;
  errors: bigint;
  cost_sum: number;
  cost_sq_sum: number;
  cost_count: bigint;
}

interface HistRow {
  variant: "stable" | "canary";
  kind: "latency" | "rating";
  slot: bigint;
  total: bigint;
}

const HOUR = 3_600_000;

export async function loadRolloutStats(
  db: DbOrTx,
  rolloutId: string,
  since: Date = new Date(0),
  until: Date = new Date(8.64e15),
): Promise<Record<"stable" | "canary", VariantStats>> {
  // Whole hours from the hourly rollups, the minutes before the first and after the last whole
  // hour from the minute rollups: a 14-day rollout reads ~336 + 120 rows per variant, not 20,160.
  const m0 = new Date(Math.floor(since.getTime() / 60_000) * 60_000);
  let h0 = new Date(Math.ceil(m0.getTime() / HOUR) * HOUR);
  let h1 = new Date(Math.floor(until.getTime() / HOUR) * HOUR);
  if (h1 <= h0) h0 = h1 = m0; // no whole hour inside: minutes only
  const picked = Prisma.sql`
    WITH picked AS (
      SELECT variant, count, errors, cost_usd, cost_sq_sum, cost_count, latency_hist, rating_hist
      FROM metric_rollups_hourly WHERE rollout_id = ${rolloutId} AND hour >= ${h0} AND hour < ${h1}
      UNION ALL
      SELECT variant, count, errors, cost_usd, cost_sq_sum, cost_count, latency_hist, rating_hist
      FROM metric_rollups WHERE rollout_id = ${rolloutId} AND minute >= ${m0} AND minute <= ${until} AND (minute < ${h0} OR minute >= ${h1})
    )`;
  const totals = await db.$queryRaw<TotalsRow[]>`${picked}
    SELECT variant::text AS variant, sum(count)::bigint AS requests, sum(errors)::bigint AS errors,
      sum(cost_usd)::float8 AS cost_sum, sum(cost_sq_sum)::float8 AS cost_sq_sum, sum(cost_count)::bigint AS cost_count
    FROM picked GROUP BY variant`;
  const hists = await db.$queryRaw<HistRow[]>`${picked}
    SELECT p.variant::text AS variant, h.kind, h.slot, sum(h.value)::bigint AS total
    FROM picked p
    CROSS JOIN LATERAL (
      SELECT 'latency' AS kind, slot, value FROM unnest(p.latency_hist) WITH ORDINALITY AS l(value, slot)
      UNION ALL
      SELECT 'rating', slot, value FROM unnest(p.rating_hist) WITH ORDINALITY AS g(value, slot)
    ) h
    GROUP BY p.variant, h.kind, h.slot`;
  const result = { stable: emptyStats(), canary: emptyStats() };
  for (const row of totals) {
    const s = result[row.variant];
    s.requests = Number(row.requests);
    s.errors = Number(row.errors);
    s.costSum = row.cost_sum;
    s.costSqSum = row.cost_sq_sum;
    s.costCount = Number(row.cost_count);
  }
  for (const row of hists) {
    const target = row.kind === "latency" ? result[row.variant].latencyHist : result[row.variant].ratingHist;
    target[Number(row.slot) - 1] = Number(row.total);
  }
  return result;
}

export interface MinuteRow {
  minute: Date;
  variant: "stable" | "canary";
  count: number;
  errors: number;
  ratingHist: number[];
  latencyHist: number[];
  costSum: number;
  costSqSum: number;
  costCount: number;
}

/**
 * A rollout's rollup rows at one resolution, oldest first (one per variant and bucket within a
 * rollout): per minute, or per hour for charts of long rollouts. `minute` is the bucket's start.
 */
export async function loadRolloutBuckets(db: DbOrTx, rolloutId: string, unit: "minute" | "hour"): Promise<MinuteRow[]> {
  const rows =
    unit === "minute"
      ? (await db.metricRollup.findMany({ where: { rolloutId }, orderBy: { minute: "asc" } })).map((r) => ({ ...r, start: r.minute }))
      : (await db.metricRollupHourly.findMany({ where: { rolloutId }, orderBy: { hour: "asc" } })).map((r) => ({ ...r, start: r.hour }));
  return rows.map((r) => ({
    minute: r.start,
    variant: r.variant,
    count: r.count,
    errors: r.errors,
    ratingHist: r.ratingHist,
    latencyHist: r.latencyHist,
    costSum: r.costUsd,
    costSqSum: r.costSqSum,
    costCount: r.costCount,
  }));
}

/** When each stage after the first began: the times of the rollout's advances, oldest first. */
export async function loadStageStarts(db: DbOrTx, rolloutId: string): Promise<Date[]> {
  const rows = await db.auditEvent.findMany({
    where: { entityType: "rollout", entityId: rolloutId, action: "rollout.advance" },
    select: { at: true },
    orderBy: { at: "asc" },
  });
  return rows.map((row) => row.at);
}
