import { z } from "zod";

const Interval = z.object({ value: z.number(), low: z.number(), high: z.number() }).describe("estimate with its 95% confidence interval");

export const VariantSummaryDto = z.object({
  requests: z.number().int(),
  errorRate: Interval.nullable(),
  latencyMs: z.object({ p50: Interval, p95: Interval, p99: Interval }).nullable(),
  rating: z.object({ mean: Interval.nullable(), count: z.number().int(), distribution: z.array(z.number().int()).describe("counts of ratings 1..5") }),
  costPerRequest: Interval.nullable(),
});
export type VariantSummaryDto = z.infer<typeof VariantSummaryDto>;

export const VerdictDto = z.object({
  guardrail: z.enum(["error_rate", "latency", "rating", "cost"]),
  status: z.enum(["pass", "fail", "inconclusive"]),
  canary: z.number().nullable(),
  stable: z.number().nullable(),
  limit: z.number().nullable(),
  sure: z.number(),
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
  stable: VariantSummaryDto,
  canary: VariantSummaryDto,
  verdicts: z.array(VerdictDto),
  stages: z.array(StageSummaryDto).describe("each stage reached, with both variants' statistics in it"),
  stage: StageProgressDto.nullable(),
  recommendation: RecommendationDto,
});
export type RolloutReportDto = z.infer<typeof RolloutReportDto>;
