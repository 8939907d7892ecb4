import type { Thresholds } from "../release/rollout-schemas";
import { evidenceClause, pastOrWithin, type EvidenceState } from "./evidence";
import { latencyEvidence } from "./latency-test";
import { bernoulliLlr, decide, ERROR_BUDGET, gaussianShiftLlr, sureness, twoSampleLlr } from "./sprt";
import { costMoments, ratingMoments, type VariantStats } from "./variant-stats";

// The judge: for each guardrail, canary against stable, a verdict a human can read. Every
// guardrail is an open-ended SPRT (lib/analysis/sprt.ts) of H0 "no worse than stable" against
// H1 "worse by exactly the threshold":
//   error rate  Bernoulli: p0 = stable's rate, p1 = the harmful rate = min(maxErrorRate,
//               maxErrorRateRatio × p0) (only the ratio when stable itself is near the cap);
//   latency     the p95 itself (share of canary requests slower than maxP95LatencyRatio × stable's
//               p95) together with a shift of ln(latency): lib/analysis/latency-test.ts;
//   rating      normal on ratings: mean drop 0 against maxRatingDrop (variance taken 25 % above
//               stable's: ratings are few, discrete and skewed, so small-sample means stray more);
//   cost        normal on cost per request: mean × 1 against × maxCostRatio.
// Stable's mean and variance are plugged in from its data, and each LLR is discounted for
// stable's own sampling error (sprt.ts twoSampleLlr: a twentieth at a 5 % canary, half at 50 %,
// where stable is no larger than the canary). Each guardrail gets α = 1/4 % so that
// the four together wrongly fail an identical canary at most 1 % of the time over a whole rollout,
// checked as often as you like (each custom score guardrail adds at most 1/4 %); β = 10 % sets when "pass" is said. A guardrail with
// fewer samples than its floor is inconclusive, never pass: ratings in particular are sparse.
//
// What a threshold means. H1 is the regression the test is built to catch quickly, not a line the
// canary's estimate is compared with. For a shift of the mean by θ where H1 is δ, each sample adds
// (δθ − δ²/2)/σ² to the LLR on average: positive only past θ = δ/2. So a regression of the full
// threshold is rolled back after about 2σ²·ln(400)/δ² samples, larger ones sooner; one between
// half the threshold and all of it is rolled back too, but slowly (the average evidence per sample
// shrinks to 0 at half); at half the threshold or less the evidence drifts to "no worse" and the
// canary is let through. Bernoulli tests behave the same with the break-even rate between p0 and
// p1. With the defaults and the simulation's traffic (tests/unit/judge-simulation.test.ts, which
// measures all of this):
//   error rate  stable 1 %: built for 3 % (about 480 canary requests); break-even 1.8 %; 6 % in
//               about 140;
//   latency     see latency-test.ts: ×2 throughout within the 20-request floor; a tail pushing 5 %
//               of requests past 2 × stable's p95 in about 100; less than 2 % past it let through;
//   rating      built for a mean 0.5 lower (ratings sd about 1: about 60 ratings, some 400 requests
//               at one rating in seven); less than 0.25 lower let through;
//   cost        built for 2 × stable; less than 1.5 × let through.

export type VerdictStatus = "pass" | "fail" | "inconclusive";
export type Guardrail = "error_rate" | "latency" | "rating" | "cost";

/** The numbers behind a verdict (assess() stops here; the controller needs no more). */
export interface Assessment {
  guardrail: Guardrail;
  status: VerdictStatus;
  /** The metric for each variant: error rate, p95 ms, mean rating, cost per request. */
  canary: number | null;
  stable: number | null;
  /** The harmful level the test guards against, in the metric's unit. */
  limit: number | null;
  /**
   * 1 − 1/LR for a fail, 1 − LR for a pass, else 0: one minus an always-valid p-value, NOT the
   * probability that the canary is worse or not. Read by nothing but the report DTO; sentences
   * give the evidence as odds (`llr`). To be dropped from the DTO.
   */
  sure: number;
  /** ln of the likelihood ratio "worse by the threshold" : "no worse" — the evidence so far. */
  llr: number;
  samples: { canary: number; stable: number };
  /** Error counts (error rate only). */
  events?: { canary: number; stable: number };
  /** Shares of each variant's requests slower than `limit` (latency only). */
  slower?: { canary: number; stable: number };
}

export interface Verdict extends Assessment {
  sentence: string;
  warning: boolean;
}

export const JUDGE_SETTINGS = {
  ...ERROR_BUDGET,
  minCanary: { error_rate: 20, latency: 20, rating: 30, cost: 20 },
  minStable: { error_rate: 100, latency: 50, rating: 30, cost: 30 },
} as const;

export function assess(stable: VariantStats, canary: VariantStats, t: Thresholds): Assessment[] {
  return [errorRate(stable, canary, t), latency(stable, canary, t), rating(stable, canary, t), cost(stable, canary, t)];
}

export function judge(stable: VariantStats, canary: VariantStats, t: Thresholds): Verdict[] {
  return assess(stable, canary, t).map((a) => ({ ...a, sentence: describe(a, t), warning: isWarning(a) }));
}

/** `fields` is the caller's fresh object, completed in place (spreading it made the simulation test twice as slow). */
function decided(fields: Omit<Assessment, "status" | "sure" | "llr">, pluggedInLlr: number): Assessment {
  const llr = twoSampleLlr(pluggedInLlr, fields.samples.canary, fields.samples.stable);
  const enough = fields.samples.canary >= JUDGE_SETTINGS.minCanary[fields.guardrail] && fields.samples.stable >= JUDGE_SETTINGS.minStable[fields.guardrail];
  const decision = enough ? decide(llr, JUDGE_SETTINGS.alpha, JUDGE_SETTINGS.beta) : "undecided";
  if (decision === "worse") return Object.assign(fields, { status: "fail" as const, sure: sureness(llr), llr });
  if (decision === "no_worse") return Object.assign(fields, { status: "pass" as const, sure: 1 - Math.exp(llr), llr });
  return Object.assign(fields, { status: "inconclusive" as const, sure: 0, llr });
}

/**
 * A guardrail heading for a fail: enough samples, not failing yet, but the evidence already 20:1
 * for "worse" (a rollback needs 400:1). Worth a person's look before the controller acts.
 */
export function isWarning(a: Assessment): boolean {
  return a.status === "inconclusive" && a.llr >= Math.log(20) && a.samples.canary >= JUDGE_SETTINGS.minCanary[a.guardrail] && a.samples.stable >= JUDGE_SETTINGS.minStable[a.guardrail];
}

function errorRate(stable: VariantStats, canary: VariantStats, t: Thresholds): Assessment {
  const p0 = (stable.errors + 0.5) / (stable.requests + 1); // never 0: one error must not be infinitely damning
  const capped = Math.min(t.maxErrorRate, t.maxErrorRateRatio * p0);
  const p1 = capped > 1.2 * p0 ? capped : Math.min(0.999, t.maxErrorRateRatio * p0);
  return decided(
    {
      guardrail: "error_rate",
      canary: canary.requests ? canary.errors / canary.requests : null,
      stable: stable.requests ? stable.errors / stable.requests : null,
      limit: p1,
      samples: { canary: canary.requests, stable: stable.requests },
      events: { canary: canary.errors, stable: stable.errors },
    },
    bernoulliLlr(canary.requests, canary.errors, p0, p1),
  );
}

function latency(stable: VariantStats, canary: VariantStats, t: Thresholds): Assessment {
  const e = latencyEvidence(stable, canary, t.maxP95LatencyRatio);
  return decided(
    { guardrail: "latency", canary: e.canaryP95, stable: e.stableP95, limit: e.limitMs, samples: e.samples, slower: e.slower },
    e.llr,
  );
}

function rating(stable: VariantStats, canary: VariantStats, t: Thresholds): Assessment {
  const s = ratingMoments(stable);
  const c = ratingMoments(canary);
  const variance = Math.max(1.25 * s.variance, 0.05);
  return decided(
    {
      guardrail: "rating",
      canary: c.n ? c.mean : null,
      stable: s.n ? s.mean : null,
      limit: s.n ? s.mean - t.maxRatingDrop : null,
      samples: { canary: c.n, stable: s.n },
    },
    gaussianShiftLlr(c.n, c.sum, s.mean, -t.maxRatingDrop, variance),
  );
}

function cost(stable: VariantStats, canary: VariantStats, t: Thresholds): Assessment {
  const { mean, variance: stableVariance } = costMoments(stable);
  const delta = mean * (t.maxCostRatio - 1);
  const variance = Math.max(stableVariance, (0.05 * mean) ** 2, 1e-18);
  return decided(
    {
      guardrail: "cost",
      canary: canary.costCount ? canary.costSum / canary.costCount : null,
      stable: stable.costCount ? mean : null,
      limit: mean * t.maxCostRatio,
      samples: { canary: canary.costCount, stable: stable.costCount },
    },
    delta > 0 ? gaussianShiftLlr(canary.costCount, canary.costSum, mean, delta, variance) : 0,
  );
}

/**
 * What was compared, how far apart, and how strong the evidence is: "canary error rate 7.0% (14 of
 * 200) vs stable 1.0% (40 of 4,000): 7.00× stable, past the 3.0% allowed (3× stable, at most 5.0%);
 * the evidence for 'an error rate at the allowed 3.0%' over 'no worse' is 2,345 : 1, past the 400 : 1
 * that rolls back". "Allowed" is the threshold, H1 of the test; see the top of this file for what
 * it catches and what it lets through.
 */
export function describe(a: Assessment, t: Thresholds): string {
  let what: string;
  let gap = "";
  let worse: string;
  const known = a.canary !== null && a.stable !== null && a.limit !== null;
  const times = known && a.stable ? `${(a.canary! / a.stable).toFixed(2)}× stable` : "";
  switch (a.guardrail) {
    case "error_rate":
      what = `canary error rate ${rate(a.canary)} (${count(a.events!.canary)} of ${count(a.samples.canary)}) vs stable ${rate(a.stable)} (${count(a.events!.stable)} of ${count(a.samples.stable)})`;
      if (known) gap = `${times ? `${times}, ` : ""}${pastOrWithin(a.canary!, a.limit!, true)} the ${rate(a.limit)} allowed (${t.maxErrorRateRatio}× stable, at most ${rate(t.maxErrorRate)})`;
      worse = `an error rate at the allowed ${rate(a.limit)}`;
      break;
    case "latency":
      what = `canary p95 ${ms(a.canary)} vs stable ${ms(a.stable)}`;
      if (known) {
        gap = `${times}, ${pastOrWithin(a.canary!, a.limit!, true)} the ${t.maxP95LatencyRatio}× allowed (${ms(a.limit)})`;
        if (a.slower) gap += `; ${share(a.slower.canary)} of canary requests took longer than ${ms(a.limit)}, ${share(a.slower.stable)} of stable's`;
      }
      worse = `a p95 at the allowed ${t.maxP95LatencyRatio}×`;
      break;
    case "rating": {
      what = `canary mean rating ${a.canary?.toFixed(2) ?? "–"} (${count(a.samples.canary)} ratings) vs stable ${a.stable?.toFixed(2) ?? "–"} (${count(a.samples.stable)})`;
      if (known) {
        const drop = a.stable! - a.canary!;
        gap = `${Math.abs(drop).toFixed(2)} ${drop >= 0 ? "lower" : "higher"}, ${pastOrWithin(a.canary!, a.limit!, false)} the ${t.maxRatingDrop} allowed`;
      }
      worse = "worse by the allowed drop";
      break;
    }
    case "cost":
      what = `canary cost per request ${usd(a.canary)} vs stable ${usd(a.stable)}`;
      if (known && times) gap = `${times}, ${pastOrWithin(a.canary!, a.limit!, true)} the ${t.maxCostRatio}× allowed`;
      worse = `costlier by the allowed ${t.maxCostRatio}×`;
      break;
  }
  const floor = JUDGE_SETTINGS.minCanary[a.guardrail];
  const stableFloor = JUDGE_SETTINGS.minStable[a.guardrail];
  if (a.samples.canary < floor || a.samples.stable < stableFloor) {
    const which = a.samples.canary < floor ? `canary has ${a.samples.canary}, needs ${floor}` : `stable has ${a.samples.stable}, needs ${stableFloor}`;
    return `${what}; too few samples to judge (${which})`;
  }
  return `${what}${gap ? `: ${gap}` : ""}; ${evidenceClause(evidenceState(a), a.llr, worse)}`;
}

function evidenceState(a: Assessment): EvidenceState {
  if (a.status === "fail" || a.status === "pass") return a.status;
  return isWarning(a) ? "warning" : "undecided";
}

const count = (n: number) => n.toLocaleString("en-US");
const rate = (p: number | null) => (p === null ? "–" : `${(p * 100).toFixed(1)}%`);
const share = (p: number) => `${(p * 100).toFixed(1)}%`;
const ms = (v: number | null) => (v === null ? "–" : `${Math.round(v).toLocaleString("en-US")} ms`);
const usd = (v: number | null) => (v === null ? "–" : `$${v.toPrecision(3)}`);
