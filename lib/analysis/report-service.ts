import type { DbOrTx } from "../db/types";
import { NotFoundError } from "../errors";
import { findRollout } from "../release/rollout-repo";
import { toRolloutDto } from "../release/rollout-service";
import { judge } from "./judge";
import { recommend, stageProgress } from "./recommend";
import { RolloutReportDto } from "./report-schemas";
import { prepareSeries, resolutionFor, SeriesDto } from "./series";
import { loadRolloutBuckets, loadRolloutStats, loadStageStarts } from "./stats-repo";
import { summarize } from "./summary";

/**
 * GET /api/admin/rollouts/{id}/report: both variants' statistics with intervals over the whole
 * rollout, every guardrail's verdict (judged on the whole rollout: the tests stay valid however
 * long it runs), the current stage's progress and the recommendation the controller acts on.
 */
export async function getRolloutReport(db: DbOrTx, rolloutId: string, now = new Date()): Promise<RolloutReportDto> {
  const row = await findRollout(db, rolloutId);
  if (!row) throw new NotFoundError(`No rollout with id ${rolloutId}.`);
  const rollout = toRolloutDto(row);
  const whole = await loadRolloutStats(db, rolloutId);
  const active = rollout.status === "running" || rollout.status === "paused";
  const stageStats = active ? await loadRolloutStats(db, rolloutId, rollout.stageStartedAt) : null;
  const verdicts = judge(whole.stable, whole.canary, rollout.thresholds);
  const progress = stageProgress(rollout, stageStats?.canary.requests ?? 0, now);
  const starts = [rollout.createdAt, ...(await loadStageStarts(db, rolloutId))];
  const stages = await Promise.all(
    starts.map(async (startedAt, index) => {
      const endedAt = starts[index + 1] ?? rollout.endedAt;
      const stats = await loadRolloutStats(db, rolloutId, startedAt, endedAt ?? now);
      return { index, percent: rollout.stages[index]?.percent ?? 100, startedAt, endedAt, stable: summarize(stats.stable), canary: summarize(stats.canary) };
    }),
  );
  return RolloutReportDto.parse({
    rolloutId,
    configId: rollout.configId,
    status: rollout.status,
    revision: rollout.revision,
    autoPromote: rollout.autoPromote,
    awaitingApproval: rollout.awaitingApproval,
    generatedAt: now,
    stable: summarize(whole.stable),
    canary: summarize(whole.canary),
    verdicts,
    stages,
    stage: progress,
    recommendation: recommend(rollout, verdicts, progress),
  });
}

/** GET /api/admin/rollouts/{id}/series: both variants per minute (or wider buckets), from start to now or the end. */
export async function getRolloutSeries(db: DbOrTx, rolloutId: string, now = new Date()): Promise<SeriesDto> {
  const row = await findRollout(db, rolloutId);
  if (!row) throw new NotFoundError(`No rollout with id ${rolloutId}.`);
  const to = row.endedAt ?? now;
  const rows = await loadRolloutBuckets(db, rolloutId, resolutionFor(row.createdAt, to) >= 60 ? "hour" : "minute");
  return SeriesDto.parse(prepareSeries(rows, row.createdAt, to));
}
