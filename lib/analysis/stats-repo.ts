import type { DbOrTx } from "../db/types";
import { emptyStats, type VariantStats } from "./variant-stats";

// Sums of a rollout's per-minute rollups, per variant, optionally of the minutes from `since`
// to `until` (a stage: minutes are the unit, so a minute in which a stage began counts for both).
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

export async function loadRolloutStats(
  db: DbOrTx,
  rolloutId: string,
  since: Date = new Date(0),
  until: Date = new Date(8.64e15),
): Promise<Record<"stable" | "canary", VariantStats>> {
  const totals = await db.$queryRaw<TotalsRow[]>`
    SELECT variant::text AS variant, sum(count)::bigint AS requests, sum(errors)::bigint AS errors,
      sum(cost_usd)::float8 AS cost_sum, sum(cost_sq_sum)::float8 AS cost_sq_sum, sum(cost_count)::bigint AS cost_count
    FROM metric_rollups WHERE rollout_id = ${rolloutId} AND minute >= date_trunc('minute', ${since}::timestamptz, 'UTC') AND minute <= ${until}::timestamptz
    GROUP BY variant`;
  const hists = await db.$queryRaw<HistRow[]>`
    SELECT r.variant::text AS variant, h.kind, h.slot, sum(h.value)::bigint AS total
    FROM metric_rollups r
    CROSS JOIN LATERAL (
      SELECT 'latency' AS kind, slot, value FROM unnest(r.latency_hist) WITH ORDINALITY AS l(value, slot)
      UNION ALL
      SELECT 'rating', slot, value FROM unnest(r.rating_hist) WITH ORDINALITY AS g(value, slot)
    ) h
    WHERE r.rollout_id = ${rolloutId} AND r.minute >= date_trunc('minute', ${since}::timestamptz, 'UTC') AND r.minute <= ${until}::timestamptz
    GROUP BY r.variant, h.kind, h.slot`;
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

/** A rollout's rollup rows, oldest minute first (one per variant and minute within a rollout). */
export async function loadRolloutMinutes(db: DbOrTx, rolloutId: string): Promise<MinuteRow[]> {
  const rows = await db.metricRollup.findMany({ where: { rolloutId }, orderBy: { minute: "asc" } });
  return rows.map((r) => ({
    minute: r.minute,
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
