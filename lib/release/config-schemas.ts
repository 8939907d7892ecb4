import { z } from "zod";
import { RolloutDto } from "./rollout-schemas";
import { VersionDto } from "./version-schemas";

export const ConfigKeySchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/,
    "must be 1-64 lower-case letters, digits and inner hyphens, like support-chat",
  );

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
