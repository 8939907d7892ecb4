import { evidenceClause, pastOrWithin, type EvidenceState } from "./evidence";
import { bernoulliLlr, decide, ERROR_BUDGET, gaussianShiftLlr, twoSampleLlr } from "./sprt";

// Custom per-request scores as guardrails: canary against stable, from sums that per-minute
// rollups add up exactly ({ n, sum, sqSum } per variant; a boolean score is 0/1, so sum counts
// the successes). Each is an open-ended SPRT (lib/analysis/sprt.ts) of H0 "no worse than stable"
// against H1 "worse by exactly the threshold", with the built-ins' error budget (α = 1/4 %,
// β = 10 %) and its own sample floor (canary 30 scored, stable 50), under which it is
// inconclusive, never pass.
//
// Thresholds. `difference`: worse by at most `value` in the score's unit (booleans in proportion
// points: 0.02 is 2 points). `ratio` (value > 1): worse by a factor: lower_is_better allows the
// canary's mean up to value × stable's, higher_is_better down to stable's / value (ratios of means
// only mean something for a positive stable mean; otherwise the test has no evidence to give).
//
// Both LLRs are discounted for stable's own sampling error, as the built-ins' are (sprt.ts
// twoSampleLlr: divided by 1 + n_canary / n_stable, exact for the difference of two means).
// Numeric: normal SPRT on the canary's mean, H0 mean = stable's, H1 = stable's ∓ δ. σ² is the
// larger of stable's and the canary's variance: a canary that only got noisier is no worse (H0),
// and judging its wider spread with stable's narrower one would read noise as evidence. Floored at
// (δ/2)², so that a score that is nearly constant on stable cannot make one canary outlier
// conclusive (with the floor, the average evidence at H1 is at most e² ≈ 7 : 1 per score).
// Boolean: Bernoulli SPRT, p0 = stable's rate (+½ a success in a trial more: never exactly 0 or
// 1), p1 = p0 moved by the threshold in the harmful direction (kept within [0.0005, 0.9995]).
//
// What a threshold means (the same as the built-ins', lib/analysis/judge.ts): H1 is the
// regression the test is built to catch quickly. A numeric score with sd σ that is worse by the
// full δ is caught after about 2σ²·ln(400)/δ² scores (sd 0.15, δ 0.03: about 300), a larger
// drop sooner; between half of δ and δ slowly; half of δ or less is let through (the evidence
// drifts to "no worse"). A pass rate of 90 % with 5 points allowed: 85 % is caught after a median
// of about 420 scores (in about 92 % of streams within 1,000), 80 % after about 125; the
// break-even is 87.6 %. tests/unit/judge-simulation.test.ts measures these on simulated streams.

export type ScoreKind = "boolean" | "numeric";
export type ScoreDirection = "higher_is_better" | "lower_is_better";
export type ScoreThreshold = { form: "difference"; value: number } | { form: "ratio"; value: number };
export type ScoreStatus = "pass" | "fail" | "inconclusive";

/** Per-variant sums of one score (booleans as 0/1). */
export interface ScoreSums {
  n: number;
  sum: number;
  sqSum: number;
}

export interface ScoreTest {
  kind: ScoreKind;
  direction: ScoreDirection;
  threshold: ScoreThreshold;
}

/** The numbers behind a custom score's verdict, like a built-in guardrail's Assessment. */
export interface ScoreAssessment {
  status: ScoreStatus;
  /** Mean score (booleans: the rate of true) of each variant; null without scores. */
  canary: number | null;
  stable: number | null;
  /** H1: the canary's mean the test guards against, in the score's unit; null when it has none. */
  limit: number | null;
  /** ln of the likelihood ratio "worse by the threshold" : "no worse" — the evidence so far. */
  llr: number;
  samples: { canary: number; stable: number };
  /** Counts of true (booleans only). */
  events?: { canary: number; stable: number };
}

export const SCORE_TEST_SETTINGS = { ...ERROR_BUDGET, minCanary: 30, minStable: 50, warningOdds: 20 } as const;

const P_MIN = 0.0005;

/** Judges one custom score, canary against stable. */
export function assessScore(test: ScoreTest, stable: ScoreSums, canary: ScoreSums): ScoreAssessment {
  const { llr, limit } = test.kind === "boolean" ? booleanLlr(test, stable, canary) : numericLlr(test, stable, canary);
  const samples = { canary: canary.n, stable: stable.n };
  const base = {
    canary: canary.n ? canary.sum / canary.n : null,
    stable: stable.n ? stable.sum / stable.n : null,
    limit,
    llr,
    samples,
    ...(test.kind === "boolean" ? { events: { canary: canary.sum, stable: stable.sum } } : {}),
  };
  if (!enoughSamples(base)) return { ...base, status: "inconclusive" };
  const decision = decide(llr, SCORE_TEST_SETTINGS.alpha, SCORE_TEST_SETTINGS.beta);
  return { ...base, status: decision === "worse" ? "fail" : decision === "no_worse" ? "pass" : "inconclusive" };
}

/** Not failing yet, but the evidence already 20 : 1 for "worse" (a rollback needs 400 : 1). */
export function isScoreWarning(a: ScoreAssessment): boolean {
  return a.status === "inconclusive" && enoughSamples(a) && a.llr >= Math.log(SCORE_TEST_SETTINGS.warningOdds);
}

function enoughSamples(a: Pick<ScoreAssessment, "samples">): boolean {
  return a.samples.canary >= SCORE_TEST_SETTINGS.minCanary && a.samples.stable >= SCORE_TEST_SETTINGS.minStable;
}

function variance({ n, sum, sqSum }: ScoreSums): number {
  if (n < 2) return 0;
  const mean = sum / n;
  return Math.max(0, (sqSum - n * mean * mean) / (n - 1));
}

/** The signed shift δ from stable's mean to H1 (negative when higher is better). */
function harmfulShift(test: ScoreTest, stableMean: number): number {
  const { form, value } = test.threshold;
  const higherIsBetter = test.direction === "higher_is_better";
  if (form === "difference") return higherIsBetter ? -value : value;
  if (!(stableMean > 0)) return 0;
  return higherIsBetter ? stableMean / value - stableMean : stableMean * value - stableMean;
}

function numericLlr(test: ScoreTest, stable: ScoreSums, canary: ScoreSums): { llr: number; limit: number | null } {
  if (!stable.n) return { llr: 0, limit: null };
  const mean = stable.sum / stable.n;
  const delta = harmfulShift(test, mean);
  if (delta === 0) return { llr: 0, limit: null };
  const sigma2 = Math.max(variance(stable), variance(canary), (delta / 2) ** 2);
  const llr = canary.n ? twoSampleLlr(gaussianShiftLlr(canary.n, canary.sum, mean, delta, sigma2), canary.n, stable.n) : 0;
  return { llr, limit: mean + delta };
}

function booleanLlr(test: ScoreTest, stable: ScoreSums, canary: ScoreSums): { llr: number; limit: number | null } {
  if (!stable.n) return { llr: 0, limit: null };
  const p0 = (stable.sum + 0.5) / (stable.n + 1);
  const p1 = Math.min(1 - P_MIN, Math.max(P_MIN, p0 + harmfulShift(test, p0)));
  const harmful = test.direction === "higher_is_better" ? p1 < p0 : p1 > p0;
  if (!harmful) return { llr: 0, limit: null };
  const llr = canary.n ? twoSampleLlr(bernoulliLlr(canary.n, canary.sum, p0, p1), canary.n, stable.n) : 0;
  return { llr, limit: p1 };
}

/** What a sentence needs to know of the score beyond its test. */
export interface ScoreWording extends ScoreTest {
  label: string;
  /** How a mean of this score is written; by default as many decimals as the threshold has, plus one. */
  format?: (value: number) => string;
}

/**
 * "canary groundedness 0.813 (412 scored) vs stable 0.860 (7,930): 0.047 lower, past the 0.03
 * allowed; the evidence for 'worse by the allowed drop' over 'no worse' is 1,234 : 1, past the
 * 400 : 1 that rolls back". "Allowed" is the threshold, H1 of the test; see the top of this file
 * for what it catches and what it lets through.
 */
export function describeScore(score: ScoreWording, a: ScoreAssessment): string {
  const isBoolean = score.kind === "boolean";
  const format = score.format ?? (isBoolean ? percent : defaultFormat(score.threshold));
  const side = (value: number | null, n: number, events: number | undefined, unit: string) =>
    `${value === null ? "–" : format(value)} (${isBoolean ? `${count(events ?? 0)} of ${count(n)}` : `${count(n)}${unit}`})`;
  const what = `canary ${score.label} ${side(a.canary, a.samples.canary, a.events?.canary, " scored")} vs stable ${side(a.stable, a.samples.stable, a.events?.stable, "")}`;
  if (!enoughSamples(a)) {
    const which =
      a.samples.canary < SCORE_TEST_SETTINGS.minCanary
        ? `canary has ${count(a.samples.canary)}, needs ${SCORE_TEST_SETTINGS.minCanary}`
        : `stable has ${count(a.samples.stable)}, needs ${SCORE_TEST_SETTINGS.minStable}`;
    return `${what}; too few scored to judge (${which})`;
  }
  const higherIsWorse = score.direction === "lower_is_better";
  const { form, value } = score.threshold;
  let gap = "";
  if (a.canary !== null && a.stable !== null && a.limit !== null) {
    const relation = pastOrWithin(a.canary, a.limit, higherIsWorse);
    if (form === "difference") {
      const diff = a.canary - a.stable;
      const size = isBoolean ? points(Math.abs(diff)) : format(Math.abs(diff));
      const none = size === (isBoolean ? points(0) : format(0));
      const allowed = isBoolean ? `${points(value)} points` : String(value);
      gap = `${none ? "no different" : `${size}${isBoolean ? " points" : ""} ${diff < 0 ? "lower" : "higher"}`}, ${relation} the ${allowed} allowed`;
    } else if (a.stable > 0) {
      const allowed = higherIsWorse ? `${value}×` : `${(1 / value).toFixed(2)}× (1/${value})`;
      gap = `${(a.canary / a.stable).toFixed(2)}× stable, ${relation} the ${allowed} allowed`;
    }
  }
  const worse = form === "ratio" ? "worse by the allowed factor" : higherIsWorse ? "worse by the allowed rise" : "worse by the allowed drop";
  return `${what}${gap ? `: ${gap}` : ""}; ${evidenceClause(evidenceState(a), a.llr, worse)}`;
}

function evidenceState(a: ScoreAssessment): EvidenceState {
  if (a.status === "fail" || a.status === "pass") return a.status;
  return isScoreWarning(a) ? "warning" : "undecided";
}

const count = (n: number) => n.toLocaleString("en-US");
const percent = (p: number) => `${(p * 100).toFixed(1)}%`;
const points = (p: number) => String(Number((p * 100).toFixed(1)));

function defaultFormat(threshold: ScoreThreshold): (value: number) => string {
  const decimals = threshold.form === "difference" ? Math.min(6, decimalsOf(threshold.value) + 1) : 3;
  return (value) => value.toLocaleString("en-US", { minimumFractionDigits: Math.max(2, decimals), maximumFractionDigits: Math.max(2, decimals) });
}

function decimalsOf(value: number): number {
  const text = String(value);
  if (text.includes("e-")) return Number(text.split("e-")[1]);
  return text.includes(".") ? text.split(".")[1].length : 0;
}
