import { z } from "zod";

const Interval = z
  .object({
    value: z.number(),
    low: z.number(),
    high: z.number(),
    zeroWidth: z
      .enum(["all_same", "one_sample"])
      .optional()
      .describe("only when low equals high, why: every sample had this value (all_same), or there is one sample and no spread to measure (one_sample)"),
  })
  .describe("estimate with its 95% confidence interval");
export type IntervalDto = z.infer<typeof Interval>;

export const MetricSummaryDto = z.object({
  value: Interval.nullable().describe("rate, mean or judged quantile; null without data"),
  count: z.number().int().nullable().describe("the samples it rests on (null: not kept, in reports kept before custom scores)"),
  quantiles: z.object({ p50: Interval, p95: Interval, p99: Interval }).nullable().optional().describe("latency metrics"),
  distribution: z.array(z.number().int()).optional().describe("metrics with a fixed set of values (ratings: counts of 1..5)"),
});
export type MetricSummaryDto = z.infer<typeof MetricSummaryDto>;

export const VariantSummaryDto = z.object({
  requests: z.number().int(),
  metrics: z.record(z.string(), MetricSummaryDto).describe("by metric key: every entry of the report's `metrics`"),
});
export type VariantSummaryDto = z.infer<typeof VariantSummaryDto>;

/** A metric of the rollout, as the console needs it to draw and word it (lib/guardrails/registry.ts). */
export const MetricInfoDto = z.object({
  key: z.string(),
  label: z.string(),
  badge: z.string(),
  description: z.string(),
  kind: z.enum(["proportion", "bounded_mean", "latency_quantile", "cost_mean"]),
  direction: z.enum(["higher_is_better", "lower_is_better"]),
  unit: z.enum(["percent", "stars", "ms", "usd", "score"]),
  samples: z.string().describe("what one sample is: requests, ratings, scored"),
  guardrail: z.boolean().describe("judged by this rollout; false: tracked (charted and reported only)"),
  source: z.enum(["built_in", "score"]),
});
export type MetricInfoDto = z.infer<typeof MetricInfoDto>;

export const VerdictDto = z.object({
  key: z.string().describe("the metric judged: a built-in (error_rate, latency, rating, cost) or a custom score's key"),
  label: z.string(),
  status: z.enum(["pass", "fail", "inconclusive"]),
  canary: z.number().nullable(),
  stable: z.number().nullable(),
  limit: z.number().nullable(),
  llr: z.number().describe("ln of the likelihood ratio worse:no-worse so far; a fail needs ln 400"),
  warning: z.boolean().describe("not failing yet, but the evidence is already 20:1 for worse"),
  samples: z.object({ canary: z.number().int(), stable: z.number().int() }),
  sentence: z.string(),
});

export const StageProgressDto = z.object({
  index: z.number().int(),
  percent: z.number(),
  minDurationSec: z.number().int(),
  elapsedSec: z.number().int(),
  minSamples: z.number().int(),
  samples: z.number().int().describe("canary requests in this stage"),
  last: z.boolean(),
});
export type StageProgressDto = z.infer<typeof StageProgressDto>;

export const RecommendationDto = z.object({
  action: z.enum(["rollback", "advance", "promote", "wait", "none"]),
  reason: z.string(),
});
export type RecommendationDto = z.infer<typeof RecommendationDto>;

export const StageSummaryDto = z.object({
  index: z.number().int(),
  percent: z.number(),
  startedAt: z.date(),
  endedAt: z.date().nullable().describe("null for the current stage"),
  stable: VariantSummaryDto,
  canary: VariantSummaryDto,
});

export const RolloutReportDto = z.object({
  rolloutId: z.string(),
  configId: z.string(),
  status: z.enum(["running", "paused", "promoted", "rolled_back", "aborted"]),
  revision: z.number().int().describe("the rollout's revision this report saw: send it with an action"),
  autoPromote: z.boolean(),
  awaitingApproval: z.boolean(),
  generatedAt: z.date(),
  metrics: z.array(MetricInfoDto).describe("the metrics of this rollout: the built-ins, then the config's custom scores"),
  stable: VariantSummaryDto,
  canary: VariantSummaryDto,
  verdicts: z.array(VerdictDto).describe("one per guardrail metric"),
  stages: z.array(StageSummaryDto).describe("each stage reached, with both variants' statistics in it"),
  stage: StageProgressDto.nullable(),
  recommendation: RecommendationDto,
});
export type RolloutReportDto = z.infer<typeof RolloutReportDto>;
