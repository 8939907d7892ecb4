import { z } from "zod";
import { ACTOR_TYPES } from "../audit/schemas";
import { CONFIG_KEY_PATTERN } from "../limits";
import { RolloutDto } from "./rollout-schemas";
import { SamplePolicyDto, SamplePolicyInput, type SamplePolicyKeep } from "./sample-policy";
import { VersionDto } from "./version-schemas";

export const ConfigKeySchema = z.string().regex(CONFIG_KEY_PATTERN, "must be 1-64 lower-case letters, digits and inner hyphens, like support-chat");

export const CreateConfigInput = z.object({
  key: ConfigKeySchema,
  name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  description: z.string().max(2000, "must be at most 2000 characters").default(""),
}).strict();
export type CreateConfigInput = z.infer<typeof CreateConfigInput>;

const GatewayClientOverrides = z
  .boolean("must be true or false")
  .describe("whether a gateway client's sampling parameters (temperature, max_tokens, tools, …) win over the version's; the model is always the version's");

/** What a config's PATCH may change: its sample policy and gateway settings (not routing state). */
export const UpdateConfigInput = z
  .object({ samplePolicy: SamplePolicyInput.optional(), gatewayClientOverrides: GatewayClientOverrides.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, "must change at least one of samplePolicy, gatewayClientOverrides");
export type UpdateConfigInput = z.infer<typeof UpdateConfigInput>;

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
  samplePolicy: SamplePolicyDto,
  gatewayClientOverrides: GatewayClientOverrides,
  stableVersion: z.object({ id: z.string(), label: z.string() }).nullable(),
  activeRollout: RolloutSummary.nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ConfigDto = z.infer<typeof ConfigDto>;

/** A config row in the DTO's shape: the sample policy's two columns as one object. */
export function configDtoOf<T extends { samplePolicy: SamplePolicyKeep; sampleFraction: number | null }>(row: T) {
  return { ...row, samplePolicy: { keep: row.samplePolicy, fraction: row.sampleFraction } };
}

const LastEndedRollout = z.object({
  id: z.string(),
  status: z.enum(["promoted", "rolled_back", "aborted"]),
  canaryVersion: z.object({ id: z.string(), label: z.string() }),
  endedAt: z.date().nullable(),
  endReason: z.string().nullable().describe("why it ended, as the person or the controller gave it"),
  endedBy: z
    .object({ type: z.enum(ACTOR_TYPES), label: z.string().describe("`controller`, a user's e-mail, `key:<name>`") })
    .nullable()
    .describe("who ended it (promoted, rolled back, aborted or reverted it), from the audit event of that step"),
});

/** A config in the list: with its last ended rollout, which the console shows until the next one starts. */
export const ConfigListItemDto = ConfigDto.extend({
  lastEndedRollout: LastEndedRollout.nullable().describe("the config's most recently ended rollout, whether or not another is active now"),
});
export type ConfigListItemDto = z.infer<typeof ConfigListItemDto>;

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
