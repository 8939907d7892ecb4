import { z } from "zod";
import { CONFIG_KEY_PATTERN } from "../limits";
import { RolloutDto } from "./rollout-schemas";
import { VersionDto } from "./version-schemas";

export const ConfigKeySchema = z.string().regex(CONFIG_KEY_PATTERN, "must be 1-64 lower-case letters, digits and inner hyphens, like support-chat");

export const CreateConfigInput = z.object({
  key: ConfigKeySchema,
  name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  description: z.string().max(2000, "must be at most 2000 characters").default(""),
}).strict();
export type CreateConfigInput = z.infer<typeof CreateConfigInput>;

const RolloutSummary = z.object({
  id: z.string(),
  status: z.enum(["running", "paused", "promoted", "rolled_back", "aborted"]),
  currentStage: z.number().int(),
  stageStartedAt: z.date(),
  pausedAt: z.date().nullable().describe("set while paused: time in stage stands still"),
  canaryVersion: z.object({ id: z.string(), label: z.string() }),
});

export const ConfigDto = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  revision: z.number().int(),
  canaryPercent: z.number(),
  stableVersion: z.object({ id: z.string(), label: z.string() }).nullable(),
  activeRollout: RolloutSummary.nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ConfigDto = z.infer<typeof ConfigDto>;

export const ConfigDetailDto = z.object({
  config: ConfigDto,
  stableVersion: VersionDto.nullable(),
  activeRollout: RolloutDto.nullable(),
});
export type ConfigDetailDto = z.infer<typeof ConfigDetailDto>;

export const RoutePreviewQuery = z.object({ userId: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters") }).strict();

export const RoutePreviewDto = z.object({
  userId: z.string(),
  variant: z.enum(["stable", "canary"]),
  reason: z.enum(["no_rollout", "excluded", "included", "not_included", "bucket", "random"]),
  bucket: z.number().int().nullable(),
  threshold: z.number().int().nullable().describe("canary iff bucket < threshold"),
  version: z.object({ id: z.string(), label: z.string() }).nullable(),
  rolloutId: z.string().nullable(),
});
export type RoutePreviewDto = z.infer<typeof RoutePreviewDto>;
