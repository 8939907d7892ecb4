import type { ScoreDirection, ScoreKind, ScoreThreshold } from "./score-schemas";
import { nounFor } from "../plural";

// A custom score and its threshold in words, as the console's score list, the start-canary dialog
// and the report say them: "pass rate may drop by at most 2 points", "mean may drop by at most
// 0.05", "mean may be at most 1.5× worse (down to stable's ÷ 1.5)". Pure; one place.

export interface ScoreForWords {
  kind: ScoreKind;
  direction: ScoreDirection;
  min: number | null;
  max: number | null;
}

/** A number as a person writes it: 0.30000000000000004 is 0.3. */
export function plainNumber(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** What the score's mean is called: a boolean's mean is its rate of true. */
function quantity(score: ScoreForWords): string {
  if (score.kind === "numeric") return "mean";
  return score.direction === "higher_is_better" ? "pass rate" : "rate of true";
}

/** How much worse the canary may be than stable before the score fails it. */
export function scoreThresholdWords(score: ScoreForWords, threshold: ScoreThreshold): string {
  const what = quantity(score);
  const higherIsBetter = score.direction === "higher_is_better";
  if (threshold.form === "ratio") {
    const bound = higherIsBetter ? `down to stable's ÷ ${plainNumber(threshold.value)}` : `up to ${plainNumber(threshold.value)} × stable's`;
    return `${what} may be at most ${plainNumber(threshold.value)}× worse (${bound})`;
  }
  const move = higherIsBetter ? "drop" : "rise";
  if (score.kind === "boolean") {
    const points = Number((threshold.value * 100).toPrecision(12));
    return `${what} may ${move} by at most ${plainNumber(points)} ${nounFor(points, "point")}`;
  }
  return `${what} may ${move} by at most ${plainNumber(threshold.value)}`;
}

/** The values a score takes: "true or false", or its range. */
export function scoreRangeWords(score: ScoreForWords): string {
  if (score.kind === "boolean" || score.min === null || score.max === null) return "true or false";
  return `${plainNumber(score.min)} to ${plainNumber(score.max)}`;
}

export function scoreDirectionWords(direction: ScoreDirection): string {
  return direction === "higher_is_better" ? "higher is better" : "lower is better";
}
