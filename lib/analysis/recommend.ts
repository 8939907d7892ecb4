import { counted } from "../plural";
import type { Assessment } from "./judge";
import type { RecommendationDto, StageProgressDto } from "./report-schemas";

// What should happen to a rollout now, from its verdicts and its stage's progress. The
// controller acts on exactly this; the report shows it to people.

export interface RolloutState {
  status: "running" | "paused" | "promoted" | "rolled_back" | "aborted";
  stages: { percent: number; minDurationSec: number; minSamples: number }[];
  currentStage: number;
  stageStartedAt: Date;
  pausedAt: Date | null;
  autoPromote: boolean;
}

/** The current stage against its minimum duration and canary samples; null once ended. */
export function stageProgress(state: RolloutState, stageCanarySamples: number, now: Date): StageProgressDto | null {
  if (state.status !== "running" && state.status !== "paused") return null;
  const stage = state.stages[state.currentStage];
  const until = state.status === "paused" && state.pausedAt ? state.pausedAt : now;
  return {
    index: state.currentStage,
    percent: stage.percent,
    minDurationSec: stage.minDurationSec,
    elapsedSec: Math.max(0, Math.floor((until.getTime() - state.stageStartedAt.getTime()) / 1000)),
    minSamples: stage.minSamples,
    samples: stageCanarySamples,
    last: state.currentStage === state.stages.length - 1,
  };
}

export function recommend(state: RolloutState, verdicts: readonly (Assessment & { sentence: string; warning: boolean })[], progress: StageProgressDto | null): RecommendationDto {
  if (!progress) return { action: "none", reason: `The rollout has ended (${state.status.replace("_", " ")}).` };
  const failing = verdicts.filter((v) => v.status === "fail");
  if (failing.length) return { action: "rollback", reason: failing.map((v) => v.sentence).join("; ") };
  if (state.status === "paused") return { action: "wait", reason: "Paused: nothing advances until it is resumed." };
  const warnings = verdicts.filter((v) => v.warning);
  if (warnings.length) return { action: "wait", reason: `Holding: ${warnings.map((v) => v.sentence).join("; ")}.` };
  const stage = `stage ${progress.index + 1} of ${state.stages.length} (${progress.percent}%)`;
  const missing: string[] = [];
  if (progress.elapsedSec < progress.minDurationSec) missing.push(`${minutes(progress.elapsedSec)} of ${minutes(progress.minDurationSec)}`);
  if (progress.samples < progress.minSamples) missing.push(`${progress.samples.toLocaleString("en-US")} of ${counted(progress.minSamples, "canary sample")}`);
  if (missing.length) return { action: "wait", reason: `${capitalize(stage)}: ${missing.join(", ")}; no guardrail fails.` };
  if (!progress.last) return { action: "advance", reason: `${capitalize(stage)} is done and no guardrail fails.` };
  return {
    action: "promote",
    reason: state.autoPromote
      ? `The last stage is done and no guardrail fails: promote (automatic for this rollout).`
      : `The last stage is done and no guardrail fails: ready for a person to promote.`,
  };
}

function minutes(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`;
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}
