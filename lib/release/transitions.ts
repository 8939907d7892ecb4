// The rollout state machine as a pure table. The service applies a transition under a row lock;
// this module only says whether an action is allowed from a state and what the next state is.

export const ROLLOUT_STATUSES = ["running", "paused", "promoted", "rolled_back", "aborted"] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

export const ROLLOUT_ACTIONS = ["pause", "resume", "advance", "promote", "rollback", "abort", "revert"] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

export const ACTIVE_STATUSES: readonly RolloutStatus[] = ["running", "paused"];

/** The actions after which a rollout has ended: a revert ends a promoted rollout again, as rolled back. */
export const ENDING_ACTIONS: readonly RolloutAction[] = ["promote", "rollback", "abort", "revert"];

/** The audit log's name of a rollout action; a revert is recorded as `rollout.revert_promotion`. */
export function rolloutAuditAction(action: RolloutAction): string {
  return action === "revert" ? "rollout.revert_promotion" : `rollout.${action}`;
}

export interface Stage {
  percent: number;
  minDurationSec: number;
  minSamples: number;
}

export interface RolloutState {
  status: RolloutStatus;
  currentStage: number;
  stages: readonly Stage[];
}

export type TransitionResult =
  | { ok: true; next: RolloutState; percent: number; ended: boolean }
  | { ok: false; reason: string };

export function isActive(status: RolloutStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** The canary percentage a rollout in this state serves: 0 once it has ended. */
export function servedPercent(state: RolloutState): number {
  return isActive(state.status) ? state.stages[state.currentStage].percent : 0;
}

const refuse = (reason: string): TransitionResult => ({ ok: false, reason });

function to(state: RolloutState, status: RolloutStatus, currentStage = state.currentStage): TransitionResult {
  const next = { ...state, status, currentStage };
  return { ok: true, next, percent: servedPercent(next), ended: !isActive(status) };
}

/**
 * - pause: running → paused (the percentage holds, nothing advances)
 * - resume: paused → running
 * - advance: running → running at the next stage (not past the last)
 * - promote: running|paused → promoted (the canary becomes stable)
 * - rollback, abort: running|paused → rolled_back | aborted (everyone back on stable)
 * - revert: promoted → rolled_back (the previous stable is restored; audited as a rollback)
 */
export function transition(state: RolloutState, action: RolloutAction): TransitionResult {
  const { status } = state;
  const ended = `The rollout has already ended (${status.replace("_", " ")}).`;
  switch (action) {
    case "pause":
      if (status === "running") return to(state, "paused");
      return refuse(status === "paused" ? "The rollout is already paused." : ended);
    case "resume":
      if (status === "paused") return to(state, "running");
      return refuse(status === "running" ? "The rollout is already running." : ended);
    case "advance": {
      if (status === "paused") return refuse("The rollout is paused; resume it before advancing.");
      if (status !== "running") return refuse(ended);
      const last = state.stages.length - 1;
      if (state.currentStage >= last) return refuse("The rollout is at its last stage (100%); promote it instead.");
      return to(state, "running", state.currentStage + 1);
    }
    case "promote":
      if (isActive(status)) return to(state, "promoted");
      return refuse(ended);
    case "rollback":
      if (isActive(status)) return to(state, "rolled_back");
      return refuse(status === "promoted" ? "The rollout was promoted; revert the promotion instead." : ended);
    case "abort":
      if (isActive(status)) return to(state, "aborted");
      return refuse(ended);
    case "revert":
      if (status === "promoted") return to(state, "rolled_back");
      return refuse(isActive(status) ? "Only a promoted rollout can be reverted; roll back an active one." : ended);
  }
}
