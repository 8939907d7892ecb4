import { z } from "zod";
import { detectVariables } from "./llm-template";
import {
  checkLlmConsistency,
  LLM_LIMITS,
  LlmSettingsDto,
  llmSettingsDtoOf,
  llmSettingsOf,
  llmSettingsShape,
  TemplateMessage,
} from "./llm-settings";

// A version's request and answer bodies: its label, description and lineage around the LLM
// settings, whose fields come from llm-settings.ts.

const VersionLabelSchema = z
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
 * The messages must be valid templates; `variables` gives defaults and descriptions to variables
 * they use (naming one they do not use is refused), and every variable they use is stored.
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
  .transform(({ systemPrompt, messages, ...rest }, ctx) => {
    const list = messages ?? [{ role: "system" as const, content: systemPrompt ?? "" }];
    // The variables stored are those the messages use, with what the request said of them.
    const detected = detectVariables(list, rest.variables);
    if (!detected.ok) {
      for (const { path, message } of detected.issues) {
        ctx.addIssue({ code: "custom", path: messages || path[0] !== "messages" ? path : ["systemPrompt"], message });
      }
      return z.NEVER;
    }
    return { ...rest, messages: list, variables: detected.variables };
  });
export type CreateVersionInput = z.input<typeof CreateVersionInput>;

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

/** The parts of a version a diff groups its changes by (version-diff.ts says which field is which). */
export const DIFF_PARTS = ["settings", "messages", "tools", "responseFormat", "variables", "description"] as const;
const DIFF_KINDS = ["added", "removed", "changed", "moved"] as const;

export const FieldChange = z.object({
  part: z.enum(DIFF_PARTS),
  kind: z.enum(DIFF_KINDS),
  field: z
    .string()
    .describe("what changed, as a path: `temperature`, `messages.2` (0-based), `tools.lookup_order.parameters.email`, `variables.customer`"),
  from: z.unknown().describe("the value before (null when added)"),
  to: z.unknown().describe("the value after (null when removed)"),
  summary: z.string().describe("the change in words; messages are numbered from 1 there: \"message 2 (user) changed: 3 lines added, 1 removed\""),
});
export const PromptLine = z.object({ op: z.enum(["same", "added", "removed"]), text: z.string() });
const LineDiff = z.object({ changed: z.boolean(), added: z.number().int(), removed: z.number().int(), lines: z.array(PromptLine) });

/** One message of either version, lined up with its counterpart (moved, edited or the same). */
export const MessageDiff = z.object({
  status: z.enum(["same", "changed", "added", "removed"]),
  moved: z.boolean().describe("its place among the messages changed, beyond messages added or removed around it"),
  fromIndex: z.number().int().nullable().describe("0-based place in the `from` version; null when added"),
  toIndex: z.number().int().nullable().describe("0-based place in the `to` version; null when removed"),
  from: TemplateMessage.nullable(),
  to: TemplateMessage.nullable(),
  added: z.number().int(),
  removed: z.number().int(),
  lines: z.array(PromptLine).describe("the content's line diff (all lines added or removed for a whole message)"),
  summary: z.string().nullable().describe("the change in words; null when the same"),
});

export const VersionDiffDto = z.object({
  from: VersionRef,
  to: VersionRef,
  changes: z.array(FieldChange).describe("every change, in words, in the order of the fields"),
  messages: z.array(MessageDiff).describe("the messages in the `to` order, removed ones where they were"),
  prompt: LineDiff.describe("the first system message's line diff, as the first API had it"),
});
export type VersionDiffDto = z.infer<typeof VersionDiffDto>;
export type FieldChange = z.infer<typeof FieldChange>;
export type MessageDiff = z.infer<typeof MessageDiff>;
export type PromptLine = z.infer<typeof PromptLine>;
