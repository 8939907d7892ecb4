import { emptyStats, type VariantStats } from "../../lib/analysis/variant-stats";
import { beta, drawIndex, gaussian, type Random } from "../../lib/demo/random";
import type { ScoreMetricSource } from "../../lib/guardrails/registry";
import { LATENCY_BUCKETS, latencyBucket } from "../../lib/metrics/latency-buckets";

// Simulated LLM traffic for the judge's tests: latency log-normal (median 1.2 s), 1 % errors,
// cost from token counts, and on every request the two scores an automated evaluator gives: a
// 0..1 quality score (beta distributed, stable mean 0.80, sd 0.15) and a boolean check (90 % pass).
// Ratings come on 15 % of requests and follow that request's own quality: an answer that failed
// the check is rated from FAILED_RATINGS; one that passed from the variant's `ratings`, moved by
// 4 × (its score − stable's mean score) on the 1-5 scale (rounded at random to keep the mean,
// clamped). So a quality drop shows in ratings as users would show it, sparse and coarse.
// Seeded, so every run of the test sees the same streams (lib/demo/random.ts).

export interface VariantModel {
  latencyScale: number;
  /** A share of requests that are `slowFactor` × slower still (a slow tool, a long route). */
  slowShare: number;
  slowFactor: number;
  errorRate: number;
  /** Probabilities of ratings 1..5 of answers that pass the check, at stable's mean score. */
  ratings: readonly number[];
  costScale: number;
  /** The 0..1 evaluator score: mean and sd of its beta distribution. */
  score: { mean: number; sd: number };
  /** Share of answers that pass the boolean check. */
  passRate: number;
}

export const STABLE_MODEL: VariantModel = {
  latencyScale: 1,
  slowShare: 0,
  slowFactor: 1,
  errorRate: 0.01,
  ratings: [0.03, 0.05, 0.1, 0.39, 0.43],
  costScale: 1,
  score: { mean: 0.8, sd: 0.15 },
  passRate: 0.9,
};

export const LATENCY_MEDIAN_MS = 1200;
export const LATENCY_SIGMA = 0.6; // of ln(latency)
export const RATING_SHARE = 0.15;
/** Ratings of answers that failed the check. */
export const FAILED_RATINGS = [0.35, 0.3, 0.2, 0.1, 0.05];

export interface Outcome {
  canary: boolean;
  isError: boolean;
  latencyMs: number;
  rating: number | null;
  costUsd: number;
  score: number;
  passed: boolean;
}

/** One request's outcome from a variant's model. */
export function draw(random: Random, model: VariantModel, canary: boolean): Outcome {
  const slow = model.slowShare > 0 && random() < model.slowShare ? model.slowFactor : 1;
  const latencyMs = LATENCY_MEDIAN_MS * model.latencyScale * slow * Math.exp(LATENCY_SIGMA * gaussian(random));
  const score = beta(random, model.score.mean, model.score.sd);
  const passed = random() < model.passRate;
  let rating: number | null = null;
  if (random() < RATING_SHARE) {
    if (!passed) rating = drawIndex(random, FAILED_RATINGS) + 1;
    else {
      const moved = drawIndex(random, model.ratings) + 1 + 4 * (score - STABLE_MODEL.score.mean);
      const whole = Math.floor(moved);
      rating = Math.min(5, Math.max(1, whole + (random() < moved - whole ? 1 : 0)));
    }
  }
  const tokens = 400 * Math.exp(0.3 * (random() - 0.5));
  return { canary, isError: random() < model.errorRate, latencyMs, rating, costUsd: tokens * 0.000005 * model.costScale, score, passed };
}

/** The simulation's two evaluator scores as a config would define them (keys of their sums). */
export const SIMULATED_SCORES = [
  { key: "quality", label: "quality", description: "0..1 evaluator score", kind: "numeric", direction: "higher_is_better", guardrail: true },
  { key: "check", label: "check", description: "a boolean check", kind: "boolean", direction: "higher_is_better", guardrail: true },
] as const satisfies readonly ScoreMetricSource[];

/** Records what the built-in guardrails see (the scores go to recordScores), as the rollups sum it. */
export function record(stats: VariantStats, o: Omit<Outcome, "score" | "passed">): void {
  stats.requests++;
  bump(stats, "error_rate", o.isError ? 1 : 0);
  const latency = (stats.hists.latency ??= new Array<number>(LATENCY_BUCKETS).fill(0));
  latency[latencyBucket(o.latencyMs)]++;
  if (o.rating !== null) (stats.hists.rating ??= [0, 0, 0, 0, 0])[o.rating - 1]++;
  bump(stats, "cost", o.costUsd);
}

/** The two scores of SIMULATED_SCORES (a boolean as 0/1). */
export function recordScores(stats: VariantStats, o: Outcome): void {
  bump(stats, "quality", o.score);
  bump(stats, "check", o.passed ? 1 : 0);
}

// In place, without addSums' object per call: the simulation records millions of outcomes.
function bump(stats: VariantStats, key: string, value: number): void {
  const sums = (stats.sums[key] ??= { n: 0, sum: 0, sqSum: 0 });
  sums.n++;
  sums.sum += value;
  sums.sqSum += value * value;
}

export { beta, emptyStats };
