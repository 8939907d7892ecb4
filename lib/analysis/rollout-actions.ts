import { z } from "zod";
import { alertRolloutStep } from "../alerts/rollout-alerts";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/types";
import { NotFoundError } from "../errors";
import { requireConfig } from "../release/lookup";
import { findRollout } from "../release/rollout-repo";
import { ConfigRollbackInput, type RolloutDto } from "../release/rollout-schemas";
import { applyRolloutActionInTx, parseRolloutAction, rollbackConfigInTx, ROUTING_TX } from "../release/rollout-service";
import type { RolloutAction } from "../release/transitions";
import { parseInput } from "../validation";
import { insertReportSnapshot, listReportSnapshots } from "./report-history-repo";
import { RolloutReportDto } from "./report-schemas";
import { getRolloutReport } from "./report-service";

// The one entry for each rollout action and for the config rollback: the admin API, the
// controller, the demo, scripts and tests all act through these two functions. Each owns its
// transaction (lib/release/rollout-service.ts does the locked part) and, after the commit, keeps
// the report that stood just before a step that ends a stage or the rollout — the evidence for
// the step, so a rollout's history can be read long after it ended — and raises the step's alert
// (lib/alerts/rollout-alerts.ts). A failure of either is logged, never reported as the action
// failing.

const RECORDED: readonly RolloutAction[] = ["advance", "promote", "rollback", "abort"];

/**
 * pause, resume, advance, promote, rollback, abort, or revert (of a promotion). `evidence`: the
 * report the caller judged on (the controller's); otherwise the current one is kept.
 */
export async function actOnRollout(
  db: Db,
  actor: Actor,
  rolloutId: string,
  action: RolloutAction,
  raw: unknown,
  evidence?: RolloutReportDto,
): Promise<RolloutDto> {
  const input = parseRolloutAction(action, raw);
  const rollout = await findRollout(db, rolloutId);
  if (!rollout) throw new NotFoundError(`No rollout with id ${rolloutId}.`);
  const before = RECORDED.includes(action) ? (evidence ?? (await getRolloutReport(db, rolloutId).catch(() => null))) : null;
  const after = await db.$transaction((tx) => applyRolloutActionInTx(tx, actor, rollout, action, input), ROUTING_TX);
  if (before) await keep(db, actor, action, before);
  await alertRolloutStep(db, actor, action, after);
  return after;
}

/** The article's one-call rollback: of the active rollout, or reverting the last promotion. */
export async function rollbackConfig(db: Db, actor: Actor, key: string, raw: unknown): Promise<RolloutDto> {
  const input = parseInput(ConfigRollbackInput, raw);
  const config = await requireConfig(db, key);
  const before = config.activeRolloutId ? await getRolloutReport(db, config.activeRolloutId).catch(() => null) : null;
  const after = await db.$transaction((tx) => rollbackConfigInTx(tx, actor, config, input), ROUTING_TX);
  if (before && after.id === before.rolloutId) await keep(db, actor, "rollback", before);
  await alertRolloutStep(db, actor, "rollback", after);
  return after;
}

async function keep(db: Db, actor: Actor, event: RolloutAction, report: RolloutReportDto): Promise<void> {
  try {
    const stage = report.stage?.index ?? 0;
    await insertReportSnapshot(db, { rolloutId: report.rolloutId, event, stage, actor: actor.label, report: JSON.parse(JSON.stringify(report)) });
  } catch (error) {
    console.error(`[llm-canary] could not keep the report of rollout ${report.rolloutId} before ${event}:`, error);
  }
}

const DATE_KEYS = new Set(["generatedAt", "startedAt", "endedAt"]);

export const ReportSnapshotDto = z.object({
  id: z.string(),
  event: z.string(),
  stage: z.number().int(),
  actor: z.string(),
  createdAt: z.date(),
  report: RolloutReportDto,
});

/** GET /api/admin/rollouts/{id}/reports: the kept reports, oldest first. */
export async function listRolloutReports(db: Db, rolloutId: string) {
  if (!(await findRollout(db, rolloutId))) throw new NotFoundError(`No rollout with id ${rolloutId}.`);
  const rows = await listReportSnapshots(db, rolloutId);
  // Kept as JSON: its times come back as strings.
  const revive = (key: string, value: unknown) => (DATE_KEYS.has(key) && typeof value === "string" ? new Date(value) : value);
  return { reports: rows.map((row) => ReportSnapshotDto.parse({ ...row, id: String(row.id), report: JSON.parse(JSON.stringify(row.report), revive) })) };
}
