import type { Actor } from "../auth/actor";
import type { Db } from "../db/types";
import { readEnv } from "../env";
import { findConfigKeyById } from "../release/repo";
import type { RolloutDto } from "../release/rollout-schemas";
import type { RolloutAction } from "../release/transitions";
import { enqueueAlert } from "./dispatch";
import type { AlertEvent, AlertPayload } from "./schemas";

// The alerts a rollout step raises: a rollback (automatic when the controller did it), a
// promotion, a stage advance. Called after the step committed; a failure is logged, never
// reported as the step failing.

function eventFor(action: RolloutAction, actor: Actor): AlertEvent | null {
  if (action === "rollback" || action === "revert") return actor.type === "controller" ? "auto_rollback" : "manual_rollback";
  if (action === "promote") return "promote";
  if (action === "advance") return "stage_advance";
  return null;
}

export async function alertRolloutStep(db: Db, actor: Actor, action: RolloutAction, rollout: RolloutDto): Promise<void> {
  const event = eventFor(action, actor);
  if (!event) return;
  try {
    const key = (await findConfigKeyById(db, rollout.configId))?.key ?? rollout.configId;
    const what = `${key} ${rollout.canaryVersion.label}`;
    const stage = `stage ${rollout.currentStage + 1} of ${rollout.stages.length} (${rollout.stages[rollout.currentStage]?.percent ?? 100}%)`;
    const title = {
      auto_rollback: `Automatic rollback of ${what}`,
      manual_rollback: `${actor.label} rolled back ${what}`,
      promote: `${what} is now stable`,
      stage_advance: `${what} advanced to ${stage}`,
    }[event as "auto_rollback" | "manual_rollback" | "promote" | "stage_advance"];
    const base = readEnv().LLM_CANARY_PUBLIC_URL;
    const payload: AlertPayload = {
      event,
      at: new Date().toISOString(),
      title,
      text: rollout.endReason ?? `By ${actor.label}; ${stage}.`,
      rollout: { id: rollout.id, configKey: key, status: rollout.status, stage: rollout.currentStage, percent: rollout.percent },
      actor: actor.label,
      reason: rollout.endReason,
      consoleUrl: base ? `${base.replace(/\/$/, "")}/rollouts/${rollout.id}` : null,
    };
    await enqueueAlert(db, payload);
  } catch (error) {
    console.error(`[llm-canary] could not queue the ${event} alert for rollout ${rollout.id}:`, error);
  }
}

/** A guardrail heading for a fail (lib/analysis/judge.ts isWarning): tell people before the controller acts. */
export async function alertJudgeWarning(db: Db, report: { rolloutId: string; status: string; stage: { index: number; percent: number } | null }, configKey: string, label: string, sentence: string): Promise<void> {
  try {
    const base = readEnv().LLM_CANARY_PUBLIC_URL;
    await enqueueAlert(db, {
      event: "judge_warning",
      at: new Date().toISOString(),
      title: `Warning on ${configKey}: ${label} heading for a rollback`,
      text: sentence,
      rollout: { id: report.rolloutId, configKey, status: report.status, stage: report.stage?.index ?? 0, percent: report.stage?.percent ?? 0 },
      actor: "controller",
      reason: sentence,
      consoleUrl: base ? `${base.replace(/\/$/, "")}/rollouts/${report.rolloutId}` : null,
    });
  } catch (error) {
    console.error(`[llm-canary] could not queue the judge warning for rollout ${report.rolloutId}:`, error);
  }
}
