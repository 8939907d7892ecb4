import { minutesKeptFrom, retentionSettings, type Retention } from "../db/retention";
import type { DbOrTx } from "../db/types";
import { NotFoundError } from "../errors";
import { findRollout } from "../release/rollout-repo";
import { toRolloutDto } from "../release/rollout-service";
import { listScoreRows } from "../release/score-repo";
import { judge } from "./judge";
import { recommend, stageProgress } from "./recommend";
import { RolloutReportDto } from "./report-schemas";
import { metricInfo, rolloutMetrics } from "./rollout-metrics";
import { prepareSeries, resolutionFor, SeriesDto } from "./series";
import { loadRolloutBuckets, loadRolloutStats, loadStageStarts } from "./stats-repo";
import { summarize } from "./summary";

// A report reads several windows of the rollups (the whole rollout, the current stage, each stage
// of the history): one REPEATABLE READ transaction makes them one snapshot, so no figure counts an
// outcome another figure of the same report does not.
const ONE_SNAPSHOT = { isolationLevel: "RepeatableRead" } as const;

/** Runs `read` in one snapshot: a transaction of its own, or the caller's. */
function inOneSnapshot<T>(db: DbOrTx, read: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return "$transaction" in db ? db.$transaction((tx) => read(tx), ONE_SNAPSHOT) : read(db);
}

/**
 * GET /api/admin/rollouts/{id}/report: both variants' statistics with intervals over the whole
 * rollout, every guardrail's verdict (judged on the whole rollout: the tests stay valid however
 * long it runs), the current stage's progress and the recommendation the controller acts on.
 */
export function getRolloutReport(db: DbOrTx, rolloutId: string, now = new Date(), retention = retentionSettings()): Promise<RolloutReportDto> {
  return inOneSnapshot(db, (tx) => readReport(tx, rolloutId, now, retention));
}

async function readReport(db: DbOrTx, rolloutId: string, now: Date, retention: Retention): Promise<RolloutReportDto> {
  const row = await findRollout(db, rolloutId);
  if (!row) throw new NotFoundError(`No rollout with id ${rolloutId}.`);
  const rollout = toRolloutDto(row);
  const metrics = rolloutMetrics(await listScoreRows(db, rollout.configId), rollout.thresholds.scores);
  const minutesFrom = minutesKeptFrom(retention, now);
  const whole = await loadRolloutStats(db, rolloutId, minutesFrom);
  const active = rollout.status === "running" || rollout.status === "paused";
  const stageStats = active ? await loadRolloutStats(db, rolloutId, minutesFrom, rollout.stageStartedAt) : null;
  const verdicts = judge(whole.stable, whole.canary, metrics, rollout.thresholds);
  const progress = stageProgress(rollout, stageStats?.canary.requests ?? 0, now);
  const starts = [rollout.createdAt, ...(await loadStageStarts(db, rolloutId))];
  const stages = [];
  // One after another: the statements share the snapshot's one connection.
  for (const [index, startedAt] of starts.entries()) {
    const endedAt = starts[index + 1] ?? rollout.endedAt;
    const stats = await loadRolloutStats(db, rolloutId, minutesFrom, startedAt, endedAt ?? now);
    stages.push({ index, percent: rollout.stages[index]?.percent ?? 100, startedAt, endedAt, stable: summarize(stats.stable, metrics), canary: summarize(stats.canary, metrics) });
  }
  return RolloutReportDto.parse({
    rolloutId,
    configId: rollout.configId,
    status: rollout.status,
    revision: rollout.revision,
    autoPromote: rollout.autoPromote,
    awaitingApproval: rollout.awaitingApproval,
    generatedAt: now,
    metrics: metrics.map(metricInfo),
    stable: summarize(whole.stable, metrics),
    canary: summarize(whole.canary, metrics),
    verdicts,
    stages,
    stage: progress,
    recommendation: recommend(rollout, verdicts, progress),
  });
}

/**
 * GET /api/admin/rollouts/{id}/series: both variants per minute (or wider buckets), from start to
 * now or the end; per hour at least when the rollout began before the minutes still kept.
 */
export async function getRolloutSeries(db: DbOrTx, rolloutId: string, now = new Date(), retention = retentionSettings()): Promise<SeriesDto> {
  const row = await findRollout(db, rolloutId);
  if (!row) throw new NotFoundError(`No rollout with id ${rolloutId}.`);
  const rollout = toRolloutDto(row);
  const metrics = rolloutMetrics(await listScoreRows(db, rollout.configId), rollout.thresholds.scores);
  const to = row.endedAt ?? now;
  const finest = row.createdAt < minutesKeptFrom(retention, now) ? 60 : 1;
  const rows = await loadRolloutBuckets(db, rolloutId, resolutionFor(row.createdAt, to, finest) >= 60 ? "hour" : "minute");
  return SeriesDto.parse(prepareSeries(rows, row.createdAt, to, metrics, finest));
}
