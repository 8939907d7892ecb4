// Wald's sequential probability ratio test (SPRT), one-sided and open-ended, for judging a canary
// continuously. H0: the canary is no worse than stable; H1: it is worse by exactly the
// guardrail's threshold. The statistic is the log likelihood ratio (LLR) of all canary data so
// far. Under H0 the likelihood ratio is a nonnegative martingale with mean 1, so by Ville's
// inequality the chance it EVER reaches 1/α — however often it is looked at, and however long
// the rollout runs — is at most α; for a canary better than stable it is smaller still. That is
// what makes checking after every batch safe, unlike a fixed-sample test repeated (the article's
// monitor). A canary worse than the threshold pushes the LLR up linearly, so it crosses fast.
// Stable's parameters are plugged in from stable's own data, which is far larger (the canary is
// a small share); the simulation test (tests/unit/judge-simulation.test.ts) measures the
// resulting error rates.

/**
 * Every guardrail's error budget, built-in or custom. α: the chance an identical canary is ever
 * rolled back by one guardrail over a whole rollout (Ville's bound: its likelihood ratio reaches
 * 1/α = 400 at most that often), so at most 1 % for the four built-ins together and 1/4 % more per
 * custom guardrail (the simulation test measures less: the bound is loose). β sets when "no worse"
 * is said: the evidence 1/β = 10 : 1 the other way.
 */
export const ERROR_BUDGET = { alpha: 0.0025, beta: 0.1 } as const;

/** LLR of k events in n trials: Bernoulli(p1) against Bernoulli(p0). */
export function bernoulliLlr(n: number, k: number, p0: number, p1: number): number {
  return k * Math.log(p1 / p0) + (n - k) * Math.log((1 - p1) / (1 - p0));
}

/**
 * LLR of n observations with the given sum: normal with mean mu0 + delta against mean mu0, both
 * with the given variance: Σ [delta (x - mu0) - delta² / 2] / variance.
 */
export function gaussianShiftLlr(n: number, sum: number, mu0: number, delta: number, variance: number): number {
  return (delta * (sum - n * mu0) - (n * delta * delta) / 2) / variance;
}

/**
 * ln of the average of two likelihood ratios. Each is a nonnegative martingale with mean at most 1
 * under H0, so their average is one too, and Ville's bound holds for it as for each: two tests of
 * one guardrail combined this way need no split of α, and the average passes 1/α whenever either
 * ratio passes 2/α.
 */
export function averageLlr(a: number, b: number): number {
  const top = Math.max(a, b);
  return top + Math.log((Math.exp(a - top) + Math.exp(b - top)) / 2);
}

/**
 * A canary LLR computed with stable's parameters plugged in, discounted for stable's own sampling
 * error: divided by 1 + n_canary / n_stable. For normal data that is exact: the evidence is about
 * the difference of two means, whose variance is σ²/n_canary · (1 + n_canary / n_stable), not
 * σ²/n_canary (a 5 % canary: a twentieth less evidence; a 50 % canary: half). For any LLR it is
 * safe: LR^(1/f) with f ≥ 1 has mean at most 1 where LR has (Jensen), so Ville's bound still holds.
 * Without it, an identical canary was rolled back more often than α (a stable rate read high by
 * chance looks like a canary rate read low).
 */
export function twoSampleLlr(llr: number, canarySamples: number, stableSamples: number): number {
  return llr / (1 + canarySamples / Math.max(1, stableSamples));
}

/** Wilson's upper bound for a proportion of `events` in `n` (events may be fractional), z standard errors up. */
export function wilsonUpper(events: number, n: number, z: number): number {
  if (n <= 0) return 1;
  const p = events / n;
  const denominator = 1 + (z * z) / n;
  const centre = p + (z * z) / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return Math.min(1, (centre + half) / denominator);
}

/** Crossing ln(1/α) decides "worse" (H1); falling below ln(β) means "no worse" so far. */
export function decide(llr: number, alpha: number, beta: number): "worse" | "no_worse" | "undecided" {
  if (llr >= Math.log(1 / alpha)) return "worse";
  if (llr <= Math.log(beta)) return "no_worse";
  return "undecided";
}
