import { z } from "zod";
import { THRESHOLD_FIELDS, type ThresholdName } from "../guardrails/registry";
import { ScoreKeySchema, ScoreThresholdSchema } from "./score-schemas";
import { ROLLOUT_STATUSES } from "./transitions";
import { VersionRef } from "./version-schemas";

export const StageSchema = z
  .object({
    percent: z.number("must be a number").gt(0, "must be greater than 0 and at most 100").max(100, "must be greater than 0 and at most 100"),
    minDurationSec: z.number().int("must be a whole number").min(0, "must not be negative").max(30 * 86_400, "must be at most 30 days"),
    minSamples: z.number().int("must be a whole number").min(0, "must not be negative").max(100_000_000, "must be at most 100000000"),
  })
  .strict();
export type StageInput = z.infer<typeof StageSchema>;

// The article's ramp: 1 → 5 → 10 → 25 → 50 → 100 %, two hours a stage, with canary sample floors.
export const DEFAULT_STAGES: StageInput[] = [
  { percent: 1, minDurationSec: 7200, minSamples: 100 },
  { percent: 5, minDurationSec: 7200, minSamples: 300 },
  { percent: 10, minDurationSec: 7200, minSamples: 500 },
  { percent: 25, minDurationSec: 7200, minSamples: 1000 },
  { percent: 50, minDurationSec: 7200, minSamples: 2000 },
  { percent: 100, minDurationSec: 7200, minSamples: 2000 },
];

// Guardrails: one number per threshold field of the metric registry (lib/guardrails/registry.ts,
// defaults from the article; cost: ours), plus the custom guardrail scores' thresholds. A canary
// fails a guardrail when it is worse than the threshold with statistical confidence (lib/analysis).
const builtInThresholds = Object.fromEntries(
  THRESHOLD_FIELDS.map((f) => {
    const message = `must be greater than ${f.above} and at most ${f.max}`;
    return [f.name, z.number("must be a number").gt(f.above, message).max(f.max, message).default(f.default)];
  }),
) as Record<ThresholdName, z.ZodDefault<z.ZodNumber>>;

export const ThresholdsSchema = z
  .object({
    ...builtInThresholds,
    // The guardrail scores' thresholds, copied from their definitions when the rollout starts
    // (a start request may override them); a score missing here is not judged by this rollout.
    scores: z.record(ScoreKeySchema, ScoreThresholdSchema).default({}),
  })
  .strict();
export type Thresholds = z.infer<typeof ThresholdsSchema>;

const UserList = z
  .array(z.string().min(1, "must not be empty").max(256, "must be at most 256 characters"))
  .max(10_000, "must list at most 10000 users")
  .transform((list) => [...new Set(list)]);

export const StartRolloutInput = z
  .object({
    canaryVersionId: z.string().min(1, "must name a version id").max(64),
    stages: z
      .array(StageSchema)
      .min(1, "must have at least one stage")
      .max(20, "must have at most 20 stages")
      .superRefine((stages, ctx) => {
        stages.forEach((stage, i) => {
          if (i > 0 && stage.percent <= stages[i - 1].percent) {
            ctx.addIssue({ code: "custom", path: [i, "percent"], message: "must be greater than the previous stage's percent" });
          }
        });
        if (stages.length > 0 && stages[stages.length - 1].percent !== 100) {
          ctx.addIssue({ code: "custom", path: [stages.length - 1, "percent"], message: "must be 100 in the last stage" });
        }
      })
      .default(DEFAULT_STAGES),
    thresholds: ThresholdsSchema.default(ThresholdsSchema.parse({})),
    include: UserList.default([]),
    exclude: UserList.default([]),
    sticky: z.boolean("must be true or false").default(true),
    autoPromote: z.boolean("must be true or false").default(false),
    revision: z.number().int().min(0).optional(), // the config revision the caller saw
  })
  .strict();
export type StartRolloutInput = z.infer<typeof StartRolloutInput>;

export const RolloutActionInput = z
  .object({
    reason: z.string().trim().min(1, "must not be empty").max(1000, "must be at most 1000 characters").optional(),
    revision: z.number("must be a number").int("must be a whole number").min(0, "must not be negative").optional(),
  })
  .strict();
export type RolloutActionInput = z.infer<typeof RolloutActionInput>;

export const ConfigRollbackInput = z
  .object({
    reason: z.string().trim().min(1, "must not be empty").max(1000, "must be at most 1000 characters"),
    revision: z.number().int().min(0).optional(),
  })
  .strict();
export type ConfigRollbackInput = z.infer<typeof ConfigRollbackInput>;

export const RolloutDto = z.object({
  id: z.string(),
  configId: z.string(),
  canaryVersion: VersionRef,
  baseVersion: VersionRef,
  status: z.enum(ROLLOUT_STATUSES),
  stages: z.array(StageSchema),
  currentStage: z.number().int(),
  percent: z.number(),
  stageStartedAt: z.date(),
  pausedAt: z.date().nullable(),
  salt: z.string(),
  sticky: z.boolean(),
  include: z.array(z.string()),
  exclude: z.array(z.string()),
  thresholds: ThresholdsSchema,
  autoPromote: z.boolean(),
  awaitingApproval: z.boolean(),
  revision: z.number().int(),
  startedBy: z.string(),
  endReason: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  endedAt: z.date().nullable(),
});
export type RolloutDto = z.infer<typeof RolloutDto>;
