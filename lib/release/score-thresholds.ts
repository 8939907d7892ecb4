import type { ErrorDetail } from "../errors";
import { validationError } from "../validation";
import { thresholdProblems, type ScoreKind, type ScoreThreshold } from "./score-schemas";

// Which score thresholds a rollout judges by: those of the config's guardrail scores as they are
// when it starts, each replaced by the start request's own when it gives one. Pure.

export interface GuardrailCandidate {
  key: string;
  kind: ScoreKind;
  min: number | null;
  max: number | null;
  guardrail: boolean;
  threshold: ScoreThreshold;
}

/**
 * The `thresholds.scores` a new rollout stores. An override must name a guardrail score of the
 * config and obey that score's rules (a boolean's difference below 1, a numeric one below the
 * range's width); otherwise a 400 names `thresholds.scores.<key>` and nothing starts.
 */
export function rolloutScoreThresholds(configKey: string, scores: readonly GuardrailCandidate[], overrides: Readonly<Record<string, ScoreThreshold>>): Record<string, ScoreThreshold> {
  const guardrails = new Map(scores.filter((s) => s.guardrail).map((s) => [s.key, s]));
  const details: ErrorDetail[] = [];
  for (const [key, threshold] of Object.entries(overrides)) {
    const path = `thresholds.scores.${key}`;
    const score = guardrails.get(key);
    if (!score) {
      const tracked = scores.some((s) => s.key === key);
      details.push({ path, message: tracked ? `names a tracked score of \`${configKey}\`, which is not judged; make it a guardrail first` : `names no score of \`${configKey}\`` });
      continue;
    }
    for (const problem of thresholdProblems(score, threshold)) details.push({ path: [path, ...problem.path].join("."), message: problem.message });
  }
  if (details.length > 0) throw validationError(details);
  return Object.fromEntries([...guardrails.values()].map((s) => [s.key, overrides[s.key] ?? s.threshold]));
}
