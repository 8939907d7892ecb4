import { z } from "zod";
import { RequestIdSchema } from "../metrics/schemas";
import { ConfigKeySchema } from "../release/config-schemas";
import { LLM_LIMITS, LlmSettingsDto, TemplateMessage } from "../release/llm-settings";

/** Values for the version's `{{variables}}`: then the answer's `llm` also has `rendered`. */
export const RouteVariables = z
  .record(z.string().max(64, "names must be at most 64 characters"), z.string().max(LLM_LIMITS.variableDefaultChars, `must be at most ${LLM_LIMITS.variableDefaultChars} characters`))
  .refine((values) => Object.keys(values).length <= LLM_LIMITS.variables, `must hold at most ${LLM_LIMITS.variables} values`)
  .describe("values for the version's {{variables}}; GET takes them as `variables[<name>]=` query parameters");

export const RouteInput = z
  .object({
    config: ConfigKeySchema,
    userId: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters"),
    requestId: RequestIdSchema.optional().describe("your id for this LLM request; generated when absent"),
    variables: RouteVariables.optional(),
  })
  .strict();
export type RouteInput = z.output<typeof RouteInput>;

export const RouteAnswerDto = z.object({
  requestId: z.string().describe("report the outcome under this id"),
  config: z.string(),
  variant: z.enum(["stable", "canary"]),
  versionId: z.string(),
  versionLabel: z.string(),
  rolloutId: z.string().nullable(),
  llm: LlmSettingsDto.extend({
    rendered: z
      .array(TemplateMessage)
      .optional()
      .describe("when `variables` were sent: the messages with the variables filled in (history placeholders stay as they are)"),
  }),
});
