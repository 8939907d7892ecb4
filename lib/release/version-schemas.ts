import { z } from "zod";
import { checkLlmConsistency, LLM_LIMITS, LlmSettingsDto, llmSettingsDtoOf, llmSettingsOf, llmSettingsShape } from "./llm-settings";

// A version's request and answer bodies: its label, description and lineage around the LLM
// settings, whose fields come from llm-settings.ts.

export const VersionLabelSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, dots, hyphens or underscores, like v1.3.0");

const versionFields = {
  label: VersionLabelSchema,
  description: z.string().max(2000, "must be at most 2000 characters").default(""),
  parentVersionId: z.string().max(64).nullable().optional(),
};

/**
 * Create: the settings, or (as before versions held messages) `systemPrompt` in place of
 * `messages`, which becomes one system message. Both at once is refused: which one would win?
 */
export const CreateVersionInput = z
  .object({
    ...versionFields,
    ...llmSettingsShape,
    messages: llmSettingsShape.messages.optional(),
    systemPrompt: z
      .string()
      .max(LLM_LIMITS.messageChars, `must be at most ${LLM_LIMITS.messageChars} characters`)
      .optional()
      .describe("the first API's form: one system message; send `messages` instead"),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.systemPrompt !== undefined && input.messages !== undefined) {
      ctx.addIssue({ code: "custom", path: ["systemPrompt"], message: "cannot be sent with `messages`; put the system prompt in `messages` as a system message" });
    } else if (input.systemPrompt === undefined && input.messages === undefined) {
      ctx.addIssue({ code: "custom", path: ["messages"], message: "is required (or, as before, `systemPrompt`)" });
    }
    checkLlmConsistency(input, ctx);
  })
  .transform(({ systemPrompt, messages, ...rest }) => ({
    ...rest,
    messages: messages ?? [{ role: "system" as const, content: systemPrompt ?? "" }],
  }));
export type CreateVersionInput = z.input<typeof CreateVersionInput>;
export type ParsedVersionInput = z.output<typeof CreateVersionInput>;

export const VersionRef = z.object({ id: z.string(), label: z.string() });

export const VersionDto = z.object({
  id: z.string(),
  configId: z.string(),
  label: z.string(),
  ...LlmSettingsDto.shape,
  description: z.string(),
  authorLabel: z.string(),
  parentVersionId: z.string().nullable(),
  createdAt: z.date(),
});
export type VersionDto = z.infer<typeof VersionDto>;

/** A stored version row as its answer; `systemPrompt` is derived from the messages. */
export function versionDtoOf(row: Parameters<typeof llmSettingsOf>[0]): VersionDto {
  return VersionDto.parse({ ...row, ...llmSettingsDtoOf(llmSettingsOf(row)) });
}

export const DiffQuery = z.object({
  from: z.string().min(1, "must name a version id"),
  to: z.string().min(1, "must name a version id"),
});

export const FieldChange = z.object({ field: z.string(), from: z.unknown(), to: z.unknown(), summary: z.string() });
export const PromptLine = z.object({ op: z.enum(["same", "added", "removed"]), text: z.string() });
export const VersionDiffDto = z.object({
  from: VersionRef,
  to: VersionRef,
  changes: z.array(FieldChange),
  prompt: z.object({ changed: z.boolean(), added: z.number().int(), removed: z.number().int(), lines: z.array(PromptLine) }),
});
export type VersionDiffDto = z.infer<typeof VersionDiffDto>;
