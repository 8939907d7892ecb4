import { averageLlr, bernoulliLlr, gaussianShiftLlr, wilsonUpper } from "./sprt";
import { latencyCountAbove, latencyQuantile, logLatencyMoments } from "./variant-stats";

// The latency guardrail, "p95 at most R × stable's p95" (R = maxP95LatencyRatio), as the average
// of the likelihood ratios of two always-valid tests (lib/analysis/sprt.ts averageLlr: Ville's
// bound holds for the average, so the guardrail keeps the one α of every guardrail, no split).
//
// 1. The quantile itself. L = R × stable's p95 (as the report shows it: read inside its
//    histogram bucket, in the same bucket as the exact p95). If the canary's p95 is at L, 5 % of its
//    requests take longer than L; a canary no slower than stable has at most stable's share q0 of
//    them (about 0.3 % for log-normal latency with σ = 0.6 and R = 2). So: a Bernoulli SPRT on
//    "this canary request took longer than L", H0 share = p0 against H1 share = 5 %. It sees any
//    change that moves the p95, however it is shaped: a tenth of the requests 8 × slower (p95 about
//    3.5 × stable's) reaches 7.7 % above L. Counts above L come from the histograms, with the
//    bucket that holds L split on a log scale (variant-stats latencyCountAbove), the same way for
//    both variants, so bucket resolution blurs L but never favours one side.
//    p0 is not stable's share as measured but Wilson's upper bound (2 standard errors) on it:
//    stable's share is a small count early on (a few requests of the first thousand), and a p0
//    read too low would make every slow canary request damning. It is floored at 0.5 % (a tenth of
//    H1's 5 %), so one slow request is never more than 10 : 1 for "worse": it takes several. Where
//    p0 reaches 5 % (R close to 1, or a stable too small to bound its tail) this test has nothing to
//    say and its ratio stays 1.
//    Semantics with the defaults (R = 2): built to catch a canary whose share of requests slower
//    than L is 5 % (its p95 at L) within about 100 canary requests; the break-even share is about
//    2 % (below it the evidence drifts to "no worse"), so a canary with fewer than about one
//    request in fifty past 2 × stable's p95 is let through, and a p95 that stays under L always is.
//    More slow requests are caught faster: a tenth 8 × slower (7.7 % past L) in about 60.
// 2. A shift of the whole distribution. A canary slower throughout (every request R × slower) puts
//    5 % past L too, but the quantile test needs about 100 requests to see that, while the shift of
//    mean ln(latency) shows it in about ten: a normal SPRT on ln(latency), shift 0 against ln R,
//    with stable's variance plugged in (floored at 0.01: a constant-latency stable would make any
//    shift infinitely certain). Semantics: built to catch the typical request R × slower (×2:
//    within the 20-request sample floor); the break-even is √R (1.41 ×) throughout, below which it
//    lets the change through; it is blind to a slowdown confined to the tail (the tail's share of
//    ln(latency) is small and its extra variance is not in the model), which is test 1's job.
// tests/unit/judge-simulation.test.ts measures both cases and the identical canary.

/** The share of requests the p95 leaves above it: H1 of the quantile test. */
export const TAIL_SHARE = 0.05;
/** p0 never below a tenth of H1's share: a single slow request is at most 10 : 1 evidence. */
const TAIL_SHARE_FLOOR = TAIL_SHARE / 10;
/** Standard errors above stable's measured share that p0 is put at. */
const STABLE_SHARE_MARGIN = 2;

export interface LatencyEvidence {
  /** ln of the average of the two tests' likelihood ratios: the guardrail's evidence. */
  llr: number;
  quantileLlr: number;
  shiftLlr: number;
  /** p95 in ms of each variant (bucket middles), null without data. */
  canaryP95: number | null;
  stableP95: number | null;
  /** L = R × stable's p95, the threshold latency; null without stable data. */
  limitMs: number | null;
  /** Shares of each variant's requests that took longer than L (0 without data). */
  slower: { canary: number; stable: number };
  samples: { canary: number; stable: number };
}

/** The evidence of two latency histograms (lib/metrics/latency-buckets.ts) for a p95 `ratio` × stable's. */
export function latencyEvidence(stable: readonly number[], canary: readonly number[], ratio: number): LatencyEvidence {
  const s = logLatencyMoments(stable);
  const c = logLatencyMoments(canary);
  const stableP95 = latencyQuantile(stable, 1 - TAIL_SHARE);
  const limitMs = stableP95 === null ? null : ratio * stableP95;

  let quantileLlr = 0;
  let slower = { canary: 0, stable: 0 };
  if (limitMs !== null) {
    const stableAbove = latencyCountAbove(stable, limitMs);
    const canaryAbove = c.n ? latencyCountAbove(canary, limitMs) : 0;
    slower = { canary: c.n ? canaryAbove / c.n : 0, stable: stableAbove / s.n };
    const p0 = Math.max(TAIL_SHARE_FLOOR, wilsonUpper(stableAbove, s.n, STABLE_SHARE_MARGIN));
    if (p0 < TAIL_SHARE) quantileLlr = bernoulliLlr(c.n, canaryAbove, p0, TAIL_SHARE);
  }

  const variance = Math.max(s.variance, 0.01);
  const shiftLlr = s.n ? gaussianShiftLlr(c.n, c.sum, s.mean, Math.log(ratio), variance) : 0;

  return {
    llr: averageLlr(quantileLlr, shiftLlr),
    quantileLlr,
    shiftLlr,
    canaryP95: latencyQuantile(canary, 1 - TAIL_SHARE),
    stableP95,
    limitMs,
    slower,
    samples: { canary: c.n, stable: s.n },
  };
}
