import type { Metric } from "../guardrails/registry";
import type { ScoreThreshold } from "../release/score-schemas";
import type { Thresholds } from "../release/rollout-schemas";
import { latencyEvidence } from "./latency-test";
import { bernoulliLlr, gaussianShiftLlr } from "./sprt";
import { fromSums, sumsOf, type Sums, type VariantStats } from "./variant-stats";

// One always-valid test per metric kind (lib/guardrails/registry.ts), canary against stable: the
// evidence (ln of the likelihood ratio "worse by the threshold" : "no worse", see sprt.ts, with
// stable's parameters plugged in) and the numbers a verdict shows. What differs between metrics
// of a kind is data on the metric (its rule, its variance); judge.ts discounts the evidence for
// stable's own sampling error and turns it into a verdict.
//
//   proportion        Bernoulli SPRT: p0 = stable's rate (+½ an event in a trial more: never 0 or
//                     1, so one event is never infinitely damning), p1 = p0 moved by the rule in
//                     the harmful direction (a ratio capped at an absolute level is used only
//                     while the cap is well above p0; otherwise the ratio alone).
//   bounded_mean,     normal SPRT on the canary's mean: H0 mean = stable's, H1 = stable's moved by
//   cost_mean         the rule, with the metric's variance (stable's, inflated or floored).
//   latency_quantile  the quantile itself and a shift of ln(latency), averaged: latency-test.ts.

export interface Evidence {
  llr: number;
  /** The metric for each variant (rate, mean, or quantile); null without data. */
  canary: number | null;
  stable: number | null;
  /** The harmful level H1 puts the canary at, in the metric's unit; null when there is none or stable has no data yet. */
  limit: number | null;
  samples: { canary: number; stable: number };
  /** Event counts (proportions only). */
  events?: { canary: number; stable: number };
  /** Shares of each variant's requests slower than the limit (latency only). */
  slower?: { canary: number; stable: number };
}

/** The rule of a metric with the rollout's numbers in: how much worse is harmful. */
export interface ResolvedRule {
  form: "difference" | "ratio";
  value: number;
  /** An absolute level the harmful one never exceeds (a proportion that is lower-is-better). */
  cap?: number;
}

/** The metric's rule with this rollout's thresholds, or null when the rollout has none for it. */
export function resolveRule(metric: Metric, t: Thresholds): ResolvedRule | null {
  if (metric.rule.form === "score") {
    const threshold: ScoreThreshold | undefined = t.scores[metric.key];
    return threshold ? { form: threshold.form, value: threshold.value } : null;
  }
  const fields = t as unknown as Record<string, number>;
  return { form: metric.rule.form, value: fields[metric.rule.field], ...(metric.rule.cap ? { cap: fields[metric.rule.cap] } : {}) };
}

const P_MIN = 0.0005;

/** The signed shift from stable's level to the harmful one (negative when higher is better). */
function harmfulShift(metric: Metric, rule: ResolvedRule, stable: number): number {
  const higherIsBetter = metric.direction === "higher_is_better";
  if (rule.form === "difference") return higherIsBetter ? -rule.value : rule.value;
  if (!(stable > 0)) return 0; // a factor of nothing (or of a negative mean) says nothing
  return higherIsBetter ? stable / rule.value - stable : stable * rule.value - stable;
}

/**
 * One shape for every kind's evidence (see judge.ts decided). Every harmful level is stable's moved
 * by the rule, so without stable data there is none to show (a proportion's test still runs from
 * its prior p0 = ½, which is no error rate anyone measured).
 */
function evidence(llr: number, canary: number | null, stable: number | null, limit: number | null, samples: Evidence["samples"], events?: Evidence["events"], slower?: Evidence["slower"]): Evidence {
  return { llr, canary, stable, limit: samples.stable > 0 ? limit : null, samples, events, slower };
}

function proportion(metric: Metric, rule: ResolvedRule, stable: Sums, canary: Sums): Evidence {
  const rates = [canary.n ? canary.sum / canary.n : null, stable.n ? stable.sum / stable.n : null] as const;
  const samples = { canary: canary.n, stable: stable.n };
  const events = { canary: canary.sum, stable: stable.sum };
  const p0 = (stable.sum + 0.5) / (stable.n + 1);
  let p1 = p0 + harmfulShift(metric, rule, p0);
  if (rule.cap !== undefined) {
    const capped = Math.min(rule.cap, p1);
    p1 = capped > 1.2 * p0 ? capped : Math.min(0.999, p1);
  }
  p1 = Math.min(1 - P_MIN, Math.max(P_MIN, p1));
  const harmful = metric.direction === "higher_is_better" ? p1 < p0 : p1 > p0;
  if (!harmful) return evidence(0, rates[0], rates[1], null, samples, events);
  return evidence(canary.n ? bernoulliLlr(canary.n, canary.sum, p0, p1) : 0, rates[0], rates[1], p1, samples, events);
}

function mean(metric: Metric, rule: ResolvedRule, stable: Sums, canary: Sums): Evidence {
  const s = fromSums(stable);
  const c = fromSums(canary);
  const [canaryMean, stableMean] = [c.n ? c.mean : null, s.n ? s.mean : null];
  const samples = { canary: c.n, stable: s.n };
  const delta = harmfulShift(metric, rule, s.mean);
  if (delta === 0) return evidence(0, canaryMean, stableMean, null, samples);
  const v = metric.variance!; // every metric has one (registry.ts shaped)
  const variance = Math.max(
    (v.inflation ?? 1) * (v.withCanary ? Math.max(s.variance, c.variance) : s.variance),
    v.floor ?? 0,
    ((v.meanShareFloor ?? 0) * s.mean) ** 2,
    ((v.shiftShareFloor ?? 0) * delta) ** 2,
  );
  const llr = c.n && variance > 0 ? gaussianShiftLlr(c.n, c.sum, s.mean, delta, variance) : 0;
  return evidence(llr, canaryMean, stableMean, s.mean + delta, samples);
}

function latency(metric: Metric, rule: ResolvedRule, stable: VariantStats, canary: VariantStats): Evidence {
  const e = latencyEvidence(stable.hists[metric.key] ?? [], canary.hists[metric.key] ?? [], rule.value);
  return evidence(e.llr, e.canaryP95, e.stableP95, e.limitMs, e.samples, undefined, e.slower);
}

/** The evidence on one metric of two variants. */
export function metricEvidence(metric: Metric, rule: ResolvedRule, stable: VariantStats, canary: VariantStats): Evidence {
  switch (metric.kind) {
    case "proportion":
      return proportion(metric, rule, sumsOf(stable, metric), sumsOf(canary, metric));
    case "bounded_mean":
    case "cost_mean":
      return mean(metric, rule, sumsOf(stable, metric), sumsOf(canary, metric));
    case "latency_quantile":
      return latency(metric, rule, stable, canary);
  }
}
