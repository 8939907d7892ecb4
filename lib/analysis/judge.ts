// The judge: for each guardrail metric of a rollout (lib/guardrails/registry.ts: the built-ins and
// the custom scores it judges), canary against stable, a verdict a human can read. Every guardrail
// is an open-ended SPRT (lib/analysis/sprt.ts) of H0 "no worse than stable" against H1 "worse by
// exactly the threshold", one test per kind of metric (lib/analysis/metric-tests.ts):
//   error rate  Bernoulli: p0 = stable's rate, p1 = the harmful rate = min(maxErrorRate,
//               maxErrorRateRatio × p0) (only the ratio when stable itself is near the cap);
//   latency     the p95 itself (share of canary requests slower than maxP95LatencyRatio × stable's
//               p95) together with a shift of ln(latency): lib/analysis/latency-test.ts;
//   rating      normal on ratings: mean drop 0 against maxRatingDrop (variance taken 25 % above
//               stable's: ratings are few, discrete and skewed, so small-sample means stray more);
//   cost        normal on cost per request: mean × 1 against × maxCostRatio;
//   scores      a boolean like the error rate, a numeric one like the rating with the larger of
//               the variants' variances, floored at a quarter of the shift squared
//               (lib/guardrails/registry.ts scoreMetric).
// Stable's mean and variance are plugged in from its data, and each LLR is discounted for
// stable's own sampling error (sprt.ts twoSampleLlr: a twentieth at a 5 % canary, half at 50 %,
// where stable is no larger than the canary). Each guardrail gets α = 1/4 % so that
// the four together wrongly fail an identical canary at most 1 % of the time over a whole rollout,
// checked as often as you like (each custom score guardrail adds at most 1/4 %); β = 10 % sets
// when "pass" is said. A guardrail with fewer samples than its floor (the registry's) is
// inconclusive, never pass: ratings in particular are sparse.
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

import type { Metric } from "../guardrails/registry";
import { nounFor, singularOf } from "../plural";
import type { Thresholds } from "../release/rollout-schemas";
import { evidenceClause, pastOrWithin, type EvidenceState } from "./evidence";
import { metricEvidence, resolveRule, type Evidence, type ResolvedRule } from "./metric-tests";
import { decide, ERROR_BUDGET, twoSampleLlr } from "./sprt";
import type { VariantStats } from "./variant-stats";

export type VerdictStatus = "pass" | "fail" | "inconclusive";

/** The numbers behind a verdict (assess() stops here; the controller needs no more). */
export interface Assessment extends Evidence {
  /** The metric judged (lib/guardrails/registry.ts key, or a custom score's). */
  key: string;
  status: VerdictStatus;
  /** Not failing yet, but the evidence already 20:1 for "worse" (a rollback needs 400:1). */
  warning: boolean;
}

export interface Verdict extends Assessment {
  label: string;
  sentence: string;
}

const JUDGE_SETTINGS = { ...ERROR_BUDGET, warningOdds: 20 } as const;

/** The guardrails among `metrics` that this rollout's thresholds give a rule. */
function judged(metrics: readonly Metric[], t: Thresholds): { metric: Metric; rule: ResolvedRule }[] {
  return metrics.flatMap((metric) => {
    const rule = metric.guardrail ? resolveRule(metric, t) : null;
    return rule ? [{ metric, rule }] : [];
  });
}

export function assess(stable: VariantStats, canary: VariantStats, metrics: readonly Metric[], t: Thresholds): Assessment[] {
  return judged(metrics, t).map(({ metric, rule }) => decided(metric, metricEvidence(metric, rule, stable, canary)));
}

export function judge(stable: VariantStats, canary: VariantStats, metrics: readonly Metric[], t: Thresholds): Verdict[] {
  return judged(metrics, t).map(({ metric, rule }) => {
    const a = decided(metric, metricEvidence(metric, rule, stable, canary));
    return { ...a, label: metric.label, sentence: describe(metric, rule, a) };
  });
}

function enough(metric: Metric, samples: Evidence["samples"]): boolean {
  return samples.canary >= metric.floor.canary && samples.stable >= metric.floor.stable;
}

/**
 * The verdict's numbers, one object literal of one shape for every metric: the judge runs after
 * every batch and the simulation test millions of times, and objects that grow field by field
 * made it several times slower.
 */
function decided(metric: Metric, e: Evidence): Assessment {
  const llr = twoSampleLlr(e.llr, e.samples.canary, e.samples.stable);
  const ready = enough(metric, e.samples);
  const decision = ready ? decide(llr, JUDGE_SETTINGS.alpha, JUDGE_SETTINGS.beta) : "undecided";
  const status: VerdictStatus = decision === "worse" ? "fail" : decision === "no_worse" ? "pass" : "inconclusive";
  return {
    key: metric.key,
    status,
    canary: e.canary,
    stable: e.stable,
    limit: e.limit,
    llr,
    warning: status === "inconclusive" && ready && llr >= Math.log(JUDGE_SETTINGS.warningOdds),
    samples: e.samples,
    events: e.events,
    slower: e.slower,
  };
}

// A guardrail heading for a fail (Assessment.warning): enough samples, not failing yet, but the
// evidence already 20:1 for "worse" (a rollback needs 400:1). Worth a person's look before the
// controller acts.

/**
 * What was compared, how far apart, and how strong the evidence is: "canary error rate 7.0% (14 of
 * 200) vs stable 1.0% (40 of 4,000): 7.00× stable, past the 3.0% allowed (3× stable, at most 5.0%);
 * the evidence for 'error rate at the allowed 3.0%' over 'no worse' is 2,345 : 1, past the 400 : 1
 * that rolls back". "Allowed" is the threshold, H1 of the test; see the top of this file for what
 * it catches and what it lets through.
 */
export function describe(metric: Metric, rule: ResolvedRule, a: Assessment): string {
  const format = formatter(metric, rule);
  const side = (value: number | null, n: number, events: number | undefined, first: boolean) => {
    if (metric.kind === "proportion") return `${fmt(format, value)} (${count(events ?? 0)} of ${count(n)})`;
    if (metric.kind === "latency_quantile") return fmt(format, value);
    return `${fmt(format, value)} (${count(n)}${first ? ` ${nounFor(n, singularOf(metric.samples), metric.samples)}` : ""})`;
  };
  const what = `canary ${metric.noun} ${side(a.canary, a.samples.canary, a.events?.canary, true)} vs stable ${side(a.stable, a.samples.stable, a.events?.stable, false)}`;
  if (!enough(metric, a.samples)) {
    const which = a.samples.canary < metric.floor.canary ? `canary has ${count(a.samples.canary)}, needs ${metric.floor.canary}` : `stable has ${count(a.samples.stable)}, needs ${metric.floor.stable}`;
    return `${what}; too few ${metric.samples} to judge (${which})`;
  }
  const higherIsWorse = metric.direction === "lower_is_better";
  const factor = higherIsWorse ? `${rule.value}×` : `1/${rule.value}×`;
  let gap = "";
  if (a.canary !== null && a.stable !== null && a.limit !== null) {
    const relation = pastOrWithin(a.canary, a.limit, higherIsWorse);
    if (rule.form === "ratio") {
      const times = a.stable ? `${(a.canary / a.stable).toFixed(2)}× stable, ` : "";
      const detail = rule.cap !== undefined ? ` (${rule.value}× stable, at most ${format(rule.cap)})` : metric.kind === "latency_quantile" ? ` (${format(a.limit)})` : "";
      gap = `${times}${relation} the ${rule.cap !== undefined ? format(a.limit) : factor} allowed${detail}`;
      if (a.slower) gap += `; ${share(a.slower.canary)} of canary requests took longer than ${format(a.limit)}, ${share(a.slower.stable)} of stable's`;
    } else {
      const diff = a.canary - a.stable;
      const points = metric.unit === "percent";
      const size = points ? `${pointsOf(Math.abs(diff))} points` : format(Math.abs(diff));
      const allowed = points ? `${pointsOf(rule.value)} points` : String(rule.value);
      const none = points ? pointsOf(0) === pointsOf(Math.abs(diff)) : format(0) === format(Math.abs(diff)); // no different as written
      gap = `${none ? "no different" : `${size} ${diff < 0 ? "lower" : "higher"}`}, ${relation} the ${allowed} allowed`;
    }
  }
  const worse =
    rule.form === "difference"
      ? `worse by the allowed ${higherIsWorse ? "rise" : "drop"}`
      : `${metric.noun} at the allowed ${rule.cap !== undefined && a.limit !== null ? format(a.limit) : factor}`;
  return `${what}${gap ? `: ${gap}` : ""}; ${evidenceClause(evidenceState(a), a.llr, worse)}`;
}

function evidenceState(a: Assessment): EvidenceState {
  if (a.status === "fail" || a.status === "pass") return a.status;
  return a.warning ? "warning" : "undecided";
}

/** How the metric's values are written in a sentence, by unit. */
function formatter(metric: Metric, rule: ResolvedRule): (value: number) => string {
  switch (metric.unit) {
    case "percent":
      return (p) => `${(p * 100).toFixed(1)}%`;
    case "stars":
      return (v) => v.toFixed(2);
    case "ms":
      return (v) => `${Math.round(v).toLocaleString("en-US")} ms`;
    case "usd":
      return (v) => `$${v.toPrecision(3)}`;
    case "score": {
      // As many decimals as the threshold has, plus one (at least two).
      const decimals = Math.max(2, rule.form === "difference" ? Math.min(6, decimalsOf(rule.value) + 1) : 3);
      return (v) => v.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    }
  }
}

function decimalsOf(value: number): number {
  const text = String(value);
  if (text.includes("e-")) return Number(text.split("e-")[1]);
  return text.includes(".") ? text.split(".")[1].length : 0;
}

const fmt = (format: (v: number) => string, v: number | null) => (v === null ? "–" : format(v));
const count = (n: number) => n.toLocaleString("en-US");
const share = (p: number) => `${(p * 100).toFixed(1)}%`;
const pointsOf = (p: number) => String(Number((p * 100).toFixed(1)));
