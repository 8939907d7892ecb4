import { getRolloutReport } from "../analysis/report-service";
import type { Db } from "../db/types";
import { ConflictError } from "../errors";
import { listRunningRolloutIds } from "../release/rollout-repo";
import { markAwaitingApproval } from "../release/rollout-service";
import { CONTROLLER } from "./actor";
import { raiseWarnings } from "./warnings";
import { actOnRollout } from "../analysis/rollout-actions";

// One controller pass: judge each running rollout and do what its report recommends, through
// the same services a person's click uses, as the actor `controller`. Every action sends the
// revision the report saw, so a person (or another instance) acting meanwhile wins and this
// pass just moves on. The schedule lives in the database (stage start, stages), so a restart
// loses nothing and does not restart a stage's clock.

export interface ControllerStep {
  rolloutId: string;
  action: "rollback" | "advance" | "promote" | "await_approval" | "warning";
  reason: string;
}

export async function controlRollout(db: Db, rolloutId: string, now = new Date()): Promise<ControllerStep | null> {
  const report = await getRolloutReport(db, rolloutId, now);
  if (report.status !== "running") return null;
  const { action, reason } = report.recommendation;
  const revision = report.revision;
  if (action !== "rollback" && (await raiseWarnings(db, report)).length) {
    return { rolloutId, action: "warning", reason: report.verdicts.filter((v) => v.warning).map((v) => v.sentence).join("; ") };
  }
  try {
    if (action === "rollback") {
      await actOnRollout(db, CONTROLLER, rolloutId, "rollback", { reason: `Automatic rollback: ${reason}`.slice(0, 1000), revision }, report);
      return { rolloutId, action, reason };
    }
    if (action === "advance") {
      await actOnRollout(db, CONTROLLER, rolloutId, "advance", { revision }, report);
      return { rolloutId, action, reason };
    }
    if (action === "promote" && report.autoPromote) {
      await actOnRollout(db, CONTROLLER, rolloutId, "promote", { revision }, report);
      return { rolloutId, action, reason };
    }
    if (action === "promote" && !report.awaitingApproval) {
      await markAwaitingApproval(db, CONTROLLER, rolloutId, revision);
      return { rolloutId, action: "await_approval", reason };
    }
  } catch (error) {
    if (error instanceof ConflictError) return null; // someone else acted first; the next pass sees the new state
    throw error;
  }
  return null;
}

export async function controlAll(db: Db, now = new Date()): Promise<ControllerStep[]> {
  const steps: ControllerStep[] = [];
  for (const id of await listRunningRolloutIds(db)) {
    const step = await controlRollout(db, id, now);
    if (step) steps.push(step);
  }
  return steps;
}
