import { z } from "zod";
import { RequestIdSchema } from "../metrics/schemas";
import { ConfigKeySchema } from "../release/config-schemas";

export const RouteInput = z
  .object({
    config: ConfigKeySchema,
    userId: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters"),
    requestId: RequestIdSchema.optional().describe("your id for this LLM request; generated when absent"),
  })
  .strict();

export const RouteAnswerDto = z.object({
  requestId: z.string().describe("report the outcome under this id"),
  config: z.string(),
  variant: z.enum(["stable", "canary"]),
  versionId: z.string(),
  versionLabel: z.string(),
  rolloutId: z.string().nullable(),
  llm: z.object({
    model: z.string(),
    systemPrompt: z.string(),
    temperature: z.number(),
    topP: z.number(),
    maxTokens: z.number().int(),
    retrievalStrategy: z.record(z.string(), z.unknown()).nullable(),
    params: z.record(z.string(), z.unknown()),
  }),
});
