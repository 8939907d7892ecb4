import { Prisma } from "../db/generated/client";
import type { DbOrTx } from "../db/types";
import { BUILT_IN_METRICS } from "../guardrails/registry";
import { addHist, addSums, emptyStats, type VariantStats } from "./variant-stats";

// Sums of a rollout's rollups, per variant, optionally of the minutes from `since` to `until`
// (a stage: minutes are the unit, so a minute in which a stage began counts for both). What is
// summed comes from the metric registry (each built-in names its rollup columns) plus every
// custom score's rollups. Histograms are summed element-wise in SQL, so a rollout of any length
// costs one pass over its rollup rows, never over raw outcomes. Minute rollups are kept for a
// shorter time than hour rollups: before `minutesFrom` (lib/db/retention.ts) a window is read from
// whole hours, an edge hour counting whole.

type Variant = "stable" | "canary";

/** The built-ins summed from columns, and those read from a histogram column. */
const SUMMED = BUILT_IN_METRICS.flatMap((m) => (m.rollup && "sums" in m.rollup ? [{ key: m.key, ...m.rollup.sums }] : []));
const HISTOGRAMS = BUILT_IN_METRICS.flatMap((m) => (m.rollup && "histogram" in m.rollup ? [{ key: m.key, column: m.rollup.histogram }] : []));
/** Every rollup column some built-in reads, besides the request count. */
const COLUMNS = [...new Set([...SUMMED.flatMap((s) => [s.n, s.sum, s.sqSum]), ...HISTOGRAMS.map((h) => h.column)])].filter((c) => c !== "count");

/** One row of the stats statement: the request count, a metric's sums, or one histogram slot. */
interface StatsRow {
  variant: Variant;
  part: "requests" | "sums" | "hist";
  key: string;
  slot: number | null;
  n: number;
  sum: number;
  sq: number;
}

const HOUR = 3_600_000;

const floorTo = (t: number, unit: number) => new Date(Math.floor(t / unit) * unit);

/** The rollup rows of a window: whole hours from the hourly table, the minutes around them from the minute table. */
function window(since: Date, until: Date, minutesFrom: Date) {
  // A 14-day rollout reads ~336 + 120 rows per variant, not 20,160.
  const m0 = floorTo(since.getTime(), 60_000);
  if (m0 < minutesFrom) {
    // Its first minutes are no longer kept: hours from the one it starts in, up to the minutes at
    // the end (or, when those are gone too, to the end of the hour it ends in).
    const h1 = floorTo(until.getTime(), HOUR);
    return { m0, h0: floorTo(m0.getTime(), HOUR), h1: until < minutesFrom ? new Date(h1.getTime() + HOUR) : h1, until };
  }
  let h0 = new Date(Math.ceil(m0.getTime() / HOUR) * HOUR);
  let h1 = new Date(Math.floor(until.getTime() / HOUR) * HOUR);
  if (h1 <= h0) h0 = h1 = m0; // no whole hour inside: minutes only
  return { m0, h0, h1, until };
}

function picked(name: string, tables: [string, string], columns: string, rolloutId: string, w: ReturnType<typeof window>) {
  const [minuteTable, hourTable] = tables.map(Prisma.raw);
  return Prisma.sql`${Prisma.raw(name)} AS (
      SELECT variant, ${Prisma.raw(columns)} FROM ${hourTable} WHERE rollout_id = ${rolloutId} AND hour >= ${w.h0} AND hour < ${w.h1}
      UNION ALL
      SELECT variant, ${Prisma.raw(columns)} FROM ${minuteTable}
      WHERE rollout_id = ${rolloutId} AND minute >= ${w.m0} AND minute <= ${w.until} AND (minute < ${w.h0} OR minute >= ${w.h1})
    )`;
}

const PARTS = [
  `SELECT variant::text AS variant, 'requests' AS part, '' AS key, NULL::integer AS slot, sum(count)::float8 AS n, 0::float8 AS sum, 0::float8 AS sq FROM picked GROUP BY variant`,
  ...SUMMED.map(
    (s) => `SELECT variant::text, 'sums', '${s.key}', NULL, sum(${s.n})::float8, sum(${s.sum})::float8, sum(${s.sqSum})::float8 FROM picked GROUP BY variant`,
  ),
  ...HISTOGRAMS.map(
    (h) => `SELECT p.variant::text, 'hist', '${h.key}', h.slot::integer, sum(h.value)::float8, 0, 0
      FROM picked p CROSS JOIN LATERAL unnest(p.${h.column}) WITH ORDINALITY AS h(value, slot) GROUP BY p.variant, h.slot`,
  ),
  `SELECT variant::text, 'sums', score_key, NULL, sum(count)::float8, sum(sum)::float8, sum(sq_sum)::float8 FROM picked_scores GROUP BY variant, score_key`,
].join("\nUNION ALL\n");

/**
 * Both variants' stats over a window, in ONE statement: totals, histograms and scores come from
 * the same snapshot of the rollups, so no guardrail can count an outcome the totals do not.
 */
export async function loadRolloutStats(
  db: DbOrTx,
  rolloutId: string,
  minutesFrom: Date,
  since: Date = new Date(0),
  until: Date = new Date(8.64e15),
): Promise<Record<Variant, VariantStats>> {
  const w = window(since, until, minutesFrom);
  const rows = await db.$queryRaw<StatsRow[]>`WITH
    ${picked("picked", ["metric_rollups", "metric_rollups_hourly"], ["count", ...COLUMNS].join(", "), rolloutId, w)},
    ${picked("picked_scores", ["score_rollups", "score_rollups_hourly"], "score_key, count, sum, sq_sum", rolloutId, w)}
    ${Prisma.raw(PARTS)}`;
  const result = { stable: emptyStats(), canary: emptyStats() };
  for (const row of rows) addRow(result[row.variant], row);
  return result;
}

function addRow(stats: VariantStats, row: StatsRow): void {
  if (row.part === "requests") stats.requests += row.n;
  else if (row.part === "sums") addSums(stats, row.key, row.n, row.sum, row.sq);
  else {
    const counts: number[] = [];
    counts[row.slot! - 1] = row.n;
    addHist(stats, row.key, counts);
  }
}

export interface MinuteRow {
  /** The bucket's start. */
  minute: Date;
  variant: Variant;
  stats: VariantStats;
}

type BucketRow = { start: Date; variant: Variant; count: number } & Record<string, unknown>;
type ScoreBucketRow = { start: Date; variant: Variant; score_key: string; count: number; sum: number; sq_sum: number };

/**
 * A rollout's rollup rows at one resolution, oldest first (one per variant and bucket within a
 * rollout): per minute, or per hour for charts of long rollouts. Read in one statement for the
 * same reason as loadRolloutStats.
 */
export async function loadRolloutBuckets(db: DbOrTx, rolloutId: string, unit: "minute" | "hour"): Promise<MinuteRow[]> {
  const [metricTable, scoreTable] = unit === "minute" ? ["metric_rollups", "score_rollups"] : ["metric_rollups_hourly", "score_rollups_hourly"];
  const [builtIn, scores] = await db.$queryRaw<[{ rows: BucketRow[] | null; scores: ScoreBucketRow[] | null }]>`
    SELECT
      (SELECT json_agg(r ORDER BY r.start) FROM (
        SELECT ${Prisma.raw(unit)} AS start, variant::text AS variant, count, ${Prisma.raw(COLUMNS.join(", "))}
        FROM ${Prisma.raw(metricTable)} WHERE rollout_id = ${rolloutId}) r) AS rows,
      (SELECT json_agg(s) FROM (
        SELECT ${Prisma.raw(unit)} AS start, variant::text AS variant, score_key, count, sum, sq_sum
        FROM ${Prisma.raw(scoreTable)} WHERE rollout_id = ${rolloutId}) s) AS scores`.then(([r]) => [r.rows ?? [], r.scores ?? []] as const);
  const byBucket = new Map<string, MinuteRow>();
  const bucket = (start: Date | string, variant: Variant) => {
    const minute = new Date(start);
    const id = `${minute.getTime()}|${variant}`;
    let row = byBucket.get(id);
    if (!row) byBucket.set(id, (row = { minute, variant, stats: emptyStats() }));
    return row.stats;
  };
  for (const row of builtIn) {
    const stats = bucket(row.start, row.variant);
    stats.requests += row.count;
    for (const s of SUMMED) addSums(stats, s.key, Number(row[s.n]), Number(row[s.sum]), Number(row[s.sqSum]));
    for (const h of HISTOGRAMS) addHist(stats, h.key, row[h.column] as number[]);
  }
  for (const row of scores) addSums(bucket(row.start, row.variant), row.score_key, row.count, row.sum, row.sq_sum);
  return [...byBucket.values()].sort((a, b) => a.minute.getTime() - b.minute.getTime());
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
