// Every guardrail metric, as data: the one place that lists them. The judge (lib/analysis), the
// report and its schemas, chart series, badges, the start-canary dialog's threshold inputs, the
// rollout thresholds schema (lib/release/rollout-schemas.ts) and alerts all iterate over
// BUILT_IN_METRICS, and custom scores become entries of the same shape (scoreMetric below).
// Adding a built-in is one entry here (plus its rollup columns, if it needs new ones) and its test.
// No imports: the lowest layer, so release, analysis, the console and the SDK can all read it.

/** How a metric is judged and summarized (lib/analysis/metric-kinds.ts has one test per kind). */
export type MetricKind = "proportion" | "bounded_mean" | "latency_quantile" | "cost_mean";
export type Direction = "higher_is_better" | "lower_is_better";
/** How a value is written: percent 0..1, stars 1..5, milliseconds, US dollars, or a plain score. */
export type MetricUnit = "percent" | "stars" | "ms" | "usd" | "score";

/**
 * How a unit's values are written (lib/analysis/format-value.ts reads this; nothing else lists the
 * units): the stored value × `scale` between `prefix` and `suffix`, switching to a `larger` unit
 * (its value divided by `from`) from `from` on; `decimals` fixes the places after the point,
 * otherwise a value carries three significant digits (an axis tick drops trailing zeros).
 */
export interface UnitFormat {
  scale: number;
  prefix: string;
  suffix: string;
  larger?: { from: number; suffix: string };
  decimals?: number;
}

export const UNIT_FORMATS: Readonly<Record<MetricUnit, UnitFormat>> = {
  percent: { scale: 100, prefix: "", suffix: "%" },
  stars: { scale: 1, prefix: "", suffix: "", decimals: 2 },
  ms: { scale: 1, prefix: "", suffix: " ms", larger: { from: 1000, suffix: " s" } },
  usd: { scale: 1, prefix: "$", suffix: "" },
  score: { scale: 1, prefix: "", suffix: "" },
};

/** One number of a rollout's thresholds, with its bounds and its words for the start dialog. */
export interface ThresholdField {
  /** Its name in a rollout's `thresholds`. */
  name: string;
  label: string;
  /** absolute: a cap in the metric's unit; difference: how much worse; ratio: a factor worse (> 1). */
  form: "absolute" | "difference" | "ratio";
  default: number;
  /** Values must be greater than `above` and at most `max`. */
  above: number;
  max: number;
  hint: string;
}

/** Where a built-in's numbers come from in the rollup rows (lib/analysis/stats-repo.ts). */
export type RollupSource =
  | { sums: { n: string; sum: string; sqSum: string } }
  | { histogram: string; values: readonly number[] }
  | { histogram: string; values: "latency_buckets" };

export interface Metric {
  key: string;
  label: string;
  /** How a sentence names it: "canary <noun> 7.0% vs stable 1.0%". */
  noun: string;
  /** The short name on a verdict badge. */
  badge: string;
  description: string;
  kind: MetricKind;
  direction: Direction;
  unit: MetricUnit;
  /** What one sample is, in a sentence: "requests", "ratings", "scored". */
  samples: string;
  /** Judged (may hold or roll back a stage), or tracked: charted and reported only. */
  guardrail: boolean;
  /** Fewer samples than this (per variant) is "too few to judge", never pass. */
  floor: { canary: number; stable: number };
  /** The quantile judged and charted (latency_quantile only), 0..1. */
  quantile?: number;
  /**
   * How the rollout's thresholds become the harmful level the test guards against: worse by a
   * `difference` or by a factor (`ratio`) named by a threshold field, capped at an absolute level
   * (the `cap` field) when given; a custom score's own threshold (`thresholds.scores.<key>`).
   */
  rule: { form: "difference" | "ratio"; field: string; cap?: string } | { form: "score" };
  /** Means only: the variance the test plugs in (lib/analysis/metric-tests.ts). */
  variance?: {
    /** Stable's variance times this (sparse, discrete samples stray more). */
    inflation?: number;
    /** The larger of stable's and the canary's: a canary that only got noisier is no worse. */
    withCanary?: boolean;
    /** At least this. */
    floor?: number;
    /** At least (this × stable's mean)². */
    meanShareFloor?: number;
    /** At least (this × the harmful shift)²: a nearly constant stable cannot make one outlier conclusive. */
    shiftShareFloor?: number;
  };

  thresholds: readonly ThresholdField[];
  /** Built-ins only: the rollup columns it is summed from. */
  rollup?: RollupSource;
}

const BUILT_INS = [
  {
    key: "error_rate",
    noun: "error rate",
    label: "Error rate",
    badge: "Errors",
    description: "Share of requests that failed.",
    kind: "proportion",
    direction: "lower_is_better",
    unit: "percent",
    samples: "requests",
    guardrail: true,
    floor: { canary: 20, stable: 100 },
    rule: { form: "ratio", field: "maxErrorRateRatio", cap: "maxErrorRate" },
    thresholds: [
      { name: "maxErrorRate", label: "Max error rate", form: "absolute", default: 0.05, above: 0, max: 1, hint: "0-1; fails above this, or above the ratio below × stable, whichever is lower" },
      { name: "maxErrorRateRatio", label: "Max error rate × stable", form: "ratio", default: 3, above: 1, max: 1000, hint: "greater than 1" },
    ],
    rollup: { sums: { n: "count", sum: "errors", sqSum: "errors" } },
  },
  {
    key: "latency",
    noun: "p95",
    label: "p95 latency",
    badge: "Latency",
    description: "The 95th percentile of request latency.",
    kind: "latency_quantile",
    direction: "lower_is_better",
    unit: "ms",
    samples: "requests",
    guardrail: true,
    floor: { canary: 20, stable: 50 },
    quantile: 0.95,
    rule: { form: "ratio", field: "maxP95LatencyRatio" },
    thresholds: [{ name: "maxP95LatencyRatio", label: "Max p95 latency × stable", form: "ratio", default: 2, above: 1, max: 1000, hint: "greater than 1" }],
    rollup: { histogram: "latency_hist", values: "latency_buckets" },
  },
  {
    key: "rating",
    noun: "mean rating",
    label: "Mean rating",
    badge: "Rating",
    description: "Mean of the users' 1-5 ratings.",
    kind: "bounded_mean",
    direction: "higher_is_better",
    unit: "stars",
    samples: "ratings",
    guardrail: true,
    floor: { canary: 30, stable: 30 },
    rule: { form: "difference", field: "maxRatingDrop" },
    variance: { inflation: 1.25, floor: 0.05 },
    thresholds: [{ name: "maxRatingDrop", label: "Max mean-rating drop", form: "difference", default: 0.5, above: 0, max: 4, hint: "stars, greater than 0, at most 4" }],
    rollup: { histogram: "rating_hist", values: [1, 2, 3, 4, 5] },
  },
  {
    key: "cost",
    noun: "cost per request",
    label: "Cost per request",
    badge: "Cost",
    description: "Mean cost of a request in US dollars.",
    kind: "cost_mean",
    direction: "lower_is_better",
    unit: "usd",
    samples: "costed requests",
    guardrail: true,
    floor: { canary: 20, stable: 30 },
    rule: { form: "ratio", field: "maxCostRatio" },
    variance: { floor: 1e-18, meanShareFloor: 0.05 },
    thresholds: [{ name: "maxCostRatio", label: "Max cost per request × stable", form: "ratio", default: 2, above: 1, max: 1000, hint: "greater than 1" }],
    rollup: { sums: { n: "cost_count", sum: "cost_usd", sqSum: "cost_sq_sum" } },
  },
] as const satisfies readonly Metric[];

export type ThresholdName = (typeof BUILT_INS)[number]["thresholds"][number]["name"];

/**
 * Every metric object with the same fields in the same order (absent ones undefined): the judge
 * reads them after every batch, and objects of one shape keep its property reads fast.
 */
function shaped(m: Metric): Metric {
  const v = m.variance;
  return {
    key: m.key,
    label: m.label,
    noun: m.noun,
    badge: m.badge,
    description: m.description,
    kind: m.kind,
    direction: m.direction,
    unit: m.unit,
    samples: m.samples,
    guardrail: m.guardrail,
    floor: m.floor,
    quantile: m.quantile,
    rule: m.rule,
    variance: { inflation: v?.inflation ?? 1, withCanary: v?.withCanary ?? false, floor: v?.floor ?? 0, meanShareFloor: v?.meanShareFloor ?? 0, shiftShareFloor: v?.shiftShareFloor ?? 0 },
    thresholds: m.thresholds,
    rollup: m.rollup,
  };
}

export const BUILT_IN_METRICS: readonly Metric[] = BUILT_INS.map(shaped);

/** Every built-in threshold field, in the order the start dialog shows them. */
export const THRESHOLD_FIELDS = BUILT_INS.flatMap((m): readonly (ThresholdField & { name: ThresholdName })[] => m.thresholds);

/** A custom score's definition, as much of it as judging and charting need. */
export interface ScoreMetricSource {
  key: string;
  label: string;
  description: string;
  kind: "boolean" | "numeric";
  direction: Direction;
  guardrail: boolean;
}

/** Sample floors of custom scores: a score comes with most requests, so floors like the error rate's. */
const SCORE_FLOOR = { canary: 30, stable: 50 } as const;

/** A custom score as a metric; a rollout keeps its threshold under `thresholds.scores.<key>`. */
export function scoreMetric(score: ScoreMetricSource): Metric {
  return shaped({
    key: score.key,
    label: score.label,
    noun: score.label,
    badge: score.label,
    description: score.description,
    kind: score.kind === "boolean" ? "proportion" : "bounded_mean",
    direction: score.direction,
    unit: score.kind === "boolean" ? "percent" : "score",
    samples: "scored",
    guardrail: score.guardrail,
    floor: SCORE_FLOOR,
    rule: { form: "score" },
    variance: { withCanary: true, shiftShareFloor: 0.5 },
    thresholds: [],
  });
}
