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

/** Crossing ln(1/α) decides "worse" (H1); falling below ln(β) means "no worse" so far. */
export function decide(llr: number, alpha: number, beta: number): "worse" | "no_worse" | "undecided" {
  if (llr >= Math.log(1 / alpha)) return "worse";
  if (llr <= Math.log(beta)) return "no_worse";
  return "undecided";
}

/** How sure "worse" is: 1 − 1/LR, the complement of Ville's bound on a false alarm (0 when LR ≤ 1). */
export function sureness(llr: number): number {
  return llr <= 0 ? 0 : 1 - Math.exp(-llr);
}
