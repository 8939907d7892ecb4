import type { Thresholds } from "../release/rollout-schemas";
import { bernoulliLlr, decide, gaussianShiftLlr, sureness } from "./sprt";
import { costMoments, latencyQuantile, logLatencyMoments, ratingMoments, type VariantStats } from "./variant-stats";

// The judge: for each guardrail, canary against stable, a verdict a human can read. Every
// guardrail is an open-ended SPRT (lib/analysis/sprt.ts) of H0 "no worse than stable" against
// H1 "worse by exactly the threshold":
//   error rate  Bernoulli: p0 = stable's rate, p1 = the harmful rate = min(maxErrorRate,
//               maxErrorRateRatio × p0) (only the ratio when stable itself is near the cap);
//   latency     normal on ln(latency): shift 0 against ln(maxP95LatencyRatio) — a distribution
//               scaled by the ratio has every quantile, p95 included, scaled by it;
//   rating      normal on ratings: mean drop 0 against maxRatingDrop (variance taken 25 % above
//               stable's: ratings are few, discrete and skewed, so small-sample means stray more);
//   cost        normal on cost per request: mean × 1 against × maxCostRatio.
// Stable's mean and variance are plugged in from its data. Each guardrail gets α = 1/4 % so that
// all four together wrongly fail an identical canary at most about 1 % of the time over a whole
// rollout, checked as often as you like; β = 10 % sets when "pass" is said. A guardrail with
// fewer samples than its floor is inconclusive, never pass: ratings in particular are sparse.
// tests/unit/judge-simulation.test.ts measures all of this on simulated traffic.

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
  /** How sure the verdict is (fail: that the canary is worse; pass: that it is not), 0..1. */
  sure: number;
  /** ln of the likelihood ratio "worse by the threshold" : "no worse" — the evidence so far. */
  llr: number;
  samples: { canary: number; stable: number };
  /** Error counts (error rate only). */
  events?: { canary: number; stable: number };
}

export interface Verdict extends Assessment {
  sentence: string;
  warning: boolean;
}

export const JUDGE_SETTINGS = {
  alpha: 0.0025,
  beta: 0.1,
  minCanary: { error_rate: 20, latency: 20, rating: 30, cost: 20 },
  minStable: { error_rate: 100, latency: 50, rating: 30, cost: 30 },
} as const;

export function assess(stable: VariantStats, canary: VariantStats, t: Thresholds): Assessment[] {
  return [errorRate(stable, canary, t), latency(stable, canary, t), rating(stable, canary, t), cost(stable, canary, t)];
}

export function judge(stable: VariantStats, canary: VariantStats, t: Thresholds): Verdict[] {
  return assess(stable, canary, t).map((a) => ({ ...a, sentence: describe(a, t), warning: isWarning(a) }));
}

function decided(fields: Omit<Assessment, "status" | "sure" | "llr">, llr: number): Assessment {
  const base = { ...fields, llr };
  if (base.samples.canary < JUDGE_SETTINGS.minCanary[base.guardrail] || base.samples.stable < JUDGE_SETTINGS.minStable[base.guardrail]) {
    return { ...base, status: "inconclusive", sure: 0 };
  }
  const decision = decide(llr, JUDGE_SETTINGS.alpha, JUDGE_SETTINGS.beta);
  if (decision === "worse") return { ...base, status: "fail", sure: sureness(llr) };
  if (decision === "no_worse") return { ...base, status: "pass", sure: 1 - Math.exp(llr) };
  return { ...base, status: "inconclusive", sure: 0 };
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
  const s = logLatencyMoments(stable);
  const c = logLatencyMoments(canary);
  const variance = Math.max(s.variance, 0.01); // a floor: a constant-latency stable would make any shift infinitely certain
  const stableP95 = latencyQuantile(stable, 0.95);
  return decided(
    {
      guardrail: "latency",
      canary: latencyQuantile(canary, 0.95),
      stable: stableP95,
      limit: stableP95 === null ? null : stableP95 * t.maxP95LatencyRatio,
      samples: { canary: c.n, stable: s.n },
    },
    gaussianShiftLlr(c.n, c.sum, s.mean, Math.log(t.maxP95LatencyRatio), variance),
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

/** "canary p95 2,410 ms vs stable 1,180 ms, 2.04×; worse than 2× stable, 99.87% sure". */
export function describe(a: Assessment, t: Thresholds): string {
  let what: string;
  let limit: string;
  const ratio = a.canary !== null && a.stable ? `, ${(a.canary / a.stable).toFixed(2)}×` : "";
  switch (a.guardrail) {
    case "error_rate":
      what = `canary error rate ${rate(a.canary)} (${count(a.events!.canary)} of ${count(a.samples.canary)}) vs stable ${rate(a.stable)} (${count(a.events!.stable)} of ${count(a.samples.stable)})`;
      limit = `${rate(a.limit)} (${t.maxErrorRateRatio}× stable, at most ${rate(t.maxErrorRate)})`;
      break;
    case "latency":
      what = `canary p95 ${ms(a.canary)} vs stable ${ms(a.stable)}${ratio}`;
      limit = `${t.maxP95LatencyRatio}× stable`;
      break;
    case "rating":
      what = `canary mean rating ${a.canary?.toFixed(2) ?? "–"} (${count(a.samples.canary)} ratings) vs stable ${a.stable?.toFixed(2) ?? "–"} (${count(a.samples.stable)})`;
      limit = `a drop of ${t.maxRatingDrop}`;
      break;
    case "cost":
      what = `canary cost per request ${usd(a.canary)} vs stable ${usd(a.stable)}${ratio}`;
      limit = `${t.maxCostRatio}× stable`;
      break;
  }
  const floor = JUDGE_SETTINGS.minCanary[a.guardrail];
  const stableFloor = JUDGE_SETTINGS.minStable[a.guardrail];
  if (a.samples.canary < floor || a.samples.stable < stableFloor) {
    const which = a.samples.canary < floor ? `canary has ${a.samples.canary}, needs ${floor}` : `stable has ${a.samples.stable}, needs ${stableFloor}`;
    return `${what}; too few samples to judge (${which})`;
  }
  if (a.status === "fail") return `${what}; worse than ${limit}, ${percent(a.sure, 2)} sure`;
  if (a.status === "pass") return `${what}; not worse than ${limit}, ${percent(a.sure, 0)} sure`;
  if (isWarning(a)) return `${what}; heading for worse than ${limit} (evidence ${Math.round(Math.exp(a.llr))}:1, a rollback needs 400:1)`;
  return `${what}; not enough evidence yet against ${limit}`;
}

const count = (n: number) => n.toLocaleString("en-US");
const rate = (p: number | null) => (p === null ? "–" : `${(p * 100).toFixed(1)}%`);
const percent = (p: number, digits: number) => `${(Math.floor(p * 10 ** (digits + 2)) / 10 ** digits).toFixed(digits)}%`;
const ms = (v: number | null) => (v === null ? "–" : `${Math.round(v).toLocaleString("en-US")} ms`);
const usd = (v: number | null) => (v === null ? "–" : `$${v.toPrecision(3)}`);
