import type { Db } from "../../lib/db/types";
import { LATENCY_BUCKETS, latencyBucket } from "../../lib/metrics/latency-buckets";

// The minute and hour rollups as stored, next to the same sums recomputed here from the raw
// outcomes (histograms included, counted without the database's histogram functions), both keyed
// `rollout|version|start|unit`: a test expects the two to be equal. The same for the custom
// scores' rollups, recomputed from outcome_scores. After retention dropped old days, they are
// compared over the window still kept: `kept` gives where the minutes and the hours compared start.

export interface RollupSums {
  count: number;
  errors: number;
  ratingCount: number;
  ratingSum: number;
  ratingHist: number[];
  latencySumMs: number;
  latencyHist: number[];
  inputTokens: number;
  outputTokens: number;
  tokenCount: number;
  costUsd: number;
  costSqSum: number;
  costCount: number;
}

const UNITS = { minute: 60_000, hour: 3_600_000 } as const;

/** A float sum to 12 significant digits: sums of the same values in another order differ in the last bits. */
const sig = (x: number) => Number(x.toPrecision(12));

const keyOf = (rolloutId: string | null, versionId: string, start: Date, unit: keyof typeof UNITS) => `${rolloutId}|${versionId}|${start.toISOString()}|${unit}`;

type StoredRollup = Omit<RollupSums, "latencySumMs" | "inputTokens" | "outputTokens"> & { latencySumMs: bigint; inputTokens: bigint; outputTokens: bigint };

function sumsOf(r: StoredRollup): RollupSums {
  return {
    count: r.count,
    errors: r.errors,
    ratingCount: r.ratingCount,
    ratingSum: r.ratingSum,
    ratingHist: r.ratingHist,
    latencySumMs: Number(r.latencySumMs),
    latencyHist: r.latencyHist,
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    tokenCount: r.tokenCount,
    costUsd: sig(r.costUsd),
    costSqSum: sig(r.costSqSum),
    costCount: r.costCount,
  };
}

const empty = (): RollupSums => ({
  count: 0,
  errors: 0,
  ratingCount: 0,
  ratingSum: 0,
  ratingHist: [0, 0, 0, 0, 0],
  latencySumMs: 0,
  latencyHist: Array<number>(LATENCY_BUCKETS).fill(0),
  inputTokens: 0,
  outputTokens: 0,
  tokenCount: 0,
  costUsd: 0,
  costSqSum: 0,
  costCount: 0,
});

/** Where the compared window starts, per unit (everything when not given). */
export type KeptWindow = Record<keyof typeof UNITS, Date>;

const inWindow = (kept: KeptWindow | undefined, start: Date, unit: keyof typeof UNITS) => !kept || start >= kept[unit];

export async function rollupsVsRecomputed(db: Db, kept?: KeptWindow): Promise<{ stored: Record<string, RollupSums>; recomputed: Record<string, RollupSums> }> {
  const recomputed: Record<string, RollupSums> = {};
  for (const o of await db.outcome.findMany()) {
    for (const [unit, ms] of Object.entries(UNITS) as [keyof typeof UNITS, number][]) {
      const start = new Date(Math.floor(o.at.getTime() / ms) * ms);
      if (!inWindow(kept, start, unit)) continue;
      const r = (recomputed[keyOf(o.rolloutId, o.versionId, start, unit)] ??= empty());
      r.count++;
      r.errors += o.isError ? 1 : 0;
      if (o.rating !== null) {
        r.ratingCount++;
        r.ratingSum += o.rating;
        r.ratingHist[o.rating - 1]++;
      }
      r.latencySumMs += o.latencyMs;
      r.latencyHist[latencyBucket(o.latencyMs)]++;
      r.inputTokens += o.inputTokens ?? 0;
      r.outputTokens += o.outputTokens ?? 0;
      r.tokenCount += o.inputTokens === null && o.outputTokens === null ? 0 : 1;
      r.costUsd += o.costUsd ?? 0;
      r.costSqSum += (o.costUsd ?? 0) ** 2;
      r.costCount += o.costUsd === null ? 0 : 1;
    }
  }
  for (const r of Object.values(recomputed)) Object.assign(r, { costUsd: sig(r.costUsd), costSqSum: sig(r.costSqSum) });

  const stored: Record<string, RollupSums> = {};
  for (const r of await db.metricRollup.findMany()) if (inWindow(kept, r.minute, "minute")) stored[keyOf(r.rolloutId, r.versionId, r.minute, "minute")] = sumsOf(r);
  for (const r of await db.metricRollupHourly.findMany()) if (inWindow(kept, r.hour, "hour")) stored[keyOf(r.rolloutId, r.versionId, r.hour, "hour")] = sumsOf(r);
  return { stored, recomputed };
}

export interface ScoreSums {
  count: number;
  sum: number;
  sqSum: number;
}

/**
 * A float sum compared to 9 decimals: the stored sums were added up in another order, and a late
 * score shifts them by (new - old), which may leave 1e-17 where the recomputation has 0.
 */
const near = (x: number) => sig(Math.round(x * 1e9) / 1e9) + 0;

/**
 * The score rollups (minute and hour) as stored, next to the same sums recomputed from the raw
 * outcome scores and their outcomes, keyed `rollout|version|start|unit|score key`.
 */
export async function scoreRollupsVsRecomputed(db: Db, kept?: KeptWindow): Promise<{ stored: Record<string, ScoreSums>; recomputed: Record<string, ScoreSums> }> {
  const outcomes = new Map((await db.outcome.findMany({ select: { id: true, rolloutId: true, versionId: true, at: true } })).map((o) => [o.id, o]));
  const recomputed: Record<string, ScoreSums> = {};
  for (const s of await db.outcomeScore.findMany()) {
    const o = outcomes.get(s.outcomeId)!;
    for (const [unit, ms] of Object.entries(UNITS) as [keyof typeof UNITS, number][]) {
      const start = new Date(Math.floor(o.at.getTime() / ms) * ms);
      if (!inWindow(kept, start, unit)) continue;
      const r = (recomputed[`${keyOf(o.rolloutId, o.versionId, start, unit)}|${s.scoreKey}`] ??= { count: 0, sum: 0, sqSum: 0 });
      r.count++;
      r.sum += s.value;
      r.sqSum += s.value * s.value;
    }
  }
  for (const r of Object.values(recomputed)) Object.assign(r, { sum: near(r.sum), sqSum: near(r.sqSum) });

  const stored: Record<string, ScoreSums> = {};
  const sums = (r: { count: number; sum: number; sqSum: number }) => ({ count: r.count, sum: near(r.sum), sqSum: near(r.sqSum) });
  for (const r of await db.scoreRollup.findMany()) if (inWindow(kept, r.minute, "minute")) stored[`${keyOf(r.rolloutId, r.versionId, r.minute, "minute")}|${r.scoreKey}`] = sums(r);
  for (const r of await db.scoreRollupHourly.findMany()) if (inWindow(kept, r.hour, "hour")) stored[`${keyOf(r.rolloutId, r.versionId, r.hour, "hour")}|${r.scoreKey}`] = sums(r);
  return { stored, recomputed };
}
