import { BUILT_IN_METRICS, scoreMetric, type Metric, type ScoreMetricSource } from "../guardrails/registry";
import type { MetricInfoDto } from "./report-schemas";

// The metrics of one rollout: the registry's built-ins, then the config's custom scores. A score
// is judged by the rollout (a guardrail) only when its threshold was copied into the rollout's
// thresholds when it started: a score defined later, or made a guardrail later, is tracked by it.

export function rolloutMetrics(scores: readonly ScoreMetricSource[], judgedScores: Readonly<Record<string, unknown>>): Metric[] {
  return [...BUILT_IN_METRICS, ...scores.map((s) => scoreMetric({ ...s, guardrail: s.guardrail && Object.hasOwn(judgedScores, s.key) }))];
}

const BUILT_IN_KEYS = new Set<string>(BUILT_IN_METRICS.map((m) => m.key));

/** What the report tells the console of a metric: enough to label, chart and format it. */
export function metricInfo(m: Metric): MetricInfoDto {
  return {
    key: m.key,
    label: m.label,
    badge: m.badge,
    description: m.description,
    kind: m.kind,
    direction: m.direction,
    unit: m.unit,
    samples: m.samples,
    guardrail: m.guardrail,
    source: BUILT_IN_KEYS.has(m.key) ? "built_in" : "score",
  };
}
