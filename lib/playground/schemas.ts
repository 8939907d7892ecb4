import { z } from "zod";
import { detectVariables } from "../release/llm-template";
import { checkLlmConsistency, LLM_LIMITS, LlmSettings, llmSettingsShape } from "../release/llm-settings";
import { PROVIDER_FAILURES } from "../providers/schemas";

// The playground's request, its stored runs and the events a run streams. A column is a saved
// version (`versionId`) or unsaved edits of one (`settings`, with the version they started from);
// both are called with the same variables and user message.

export const MAX_COLUMNS = 4;
export const MAX_USER_MESSAGE_CHARS = LLM_LIMITS.messageChars;
/** An answer's text is kept (and streamed) up to here; the rest is not read. */
export const MAX_ANSWER_CHARS = 200_000;

const Id = z.string().min(1, "must not be empty").max(64, "must be at most 64 characters");

/**
 * Unsaved edits: LLM settings as a version holds them, checked as a new version's are (valid
 * templates, consistent tool choice); the variables are those the messages use, with what the
 * request said of them, as when a version is created.
 */
const EditedSettings = z
  .object(llmSettingsShape)
  .strict()
  .superRefine(checkLlmConsistency)
  .transform((settings, ctx) => {
    const detected = detectVariables(settings.messages, settings.variables);
    if (detected.ok) return { ...settings, variables: detected.variables };
    for (const { path, message } of detected.issues) ctx.addIssue({ code: "custom", path, message });
    return z.NEVER;
  });

const Column = z
  .object({
    versionId: Id.optional().describe("a saved version of the config"),
    settings: EditedSettings.optional().describe("unsaved edits: LLM settings as a version holds them (model, messages, sampling, tools…)"),
    basedOnVersionId: Id.optional().describe("with `settings`: the version the edits started from"),
    providerId: Id.optional().describe("the provider connection to call; default: the version's `providerId` (the edits' for `settings`)"),
  })
  .strict()
  .superRefine((column, ctx) => {
    if ((column.versionId === undefined) === (column.settings === undefined)) {
      ctx.addIssue({ code: "custom", path: ["versionId"], message: "or `settings` must be given, not both and not neither: a saved version, or unsaved edits" });
    } else if (column.versionId !== undefined && column.basedOnVersionId !== undefined) {
      ctx.addIssue({ code: "custom", path: ["basedOnVersionId"], message: "goes with `settings` only: a saved version is not based on another" });
    }
  });

const Variables = z
  .record(z.string().max(64, "names must be at most 64 characters"), z.string().max(LLM_LIMITS.variableDefaultChars, `must be at most ${LLM_LIMITS.variableDefaultChars} characters`))
  .refine((values) => Object.keys(values).length <= LLM_LIMITS.variables, `must hold at most ${LLM_LIMITS.variables} values`)
  .describe("values for the versions' {{variables}}, rendered as /api/route renders them (defaults fill the rest)");

export const PlaygroundInput = z
  .object({
    columns: z
      .array(Column)
      .min(1, "must hold at least one column")
      .max(MAX_COLUMNS, `must hold at most ${MAX_COLUMNS} columns`)
      .describe("the columns, left to right: called at the same time, each answering in its own events"),
    variables: Variables.default({}),
    userMessage: z
      .string()
      .max(MAX_USER_MESSAGE_CHARS, `must be at most ${MAX_USER_MESSAGE_CHARS} characters`)
      .default("")
      .describe("sent as a last user message after the rendered messages; empty: none"),
  })
  .strict();
export type PlaygroundInput = z.output<typeof PlaygroundInput>;

export const RunsQuery = z
  .object({
    limit: z.coerce.number().int("must be a whole number").min(1, "must be from 1 to 100").max(100, "must be from 1 to 100").default(20),
    cursor: z.string().regex(/^pgr_[0-9a-z]{16}$/, "must be the nextCursor of a previous page").optional(),
  })
  .strict();

/** Why a column has no (whole) answer: the provider's failures, and the playground's own. */
export const RUN_FAILURES = {
  ...PROVIDER_FAILURES,
  cancelled: "the run was stopped before the answer finished",
  too_long: `the answer passed ${MAX_ANSWER_CHARS} characters`,
  internal: "something went wrong on our side",
} as const;
export type RunFailure = keyof typeof RUN_FAILURES;

export const ColumnErrorDto = z.object({
  kind: z.enum(Object.keys(RUN_FAILURES) as [RunFailure, ...RunFailure[]]),
  status: z.number().int().nullable().describe("the HTTP status the endpoint answered, if it answered"),
  message: z.string().describe("what went wrong, for people; never holds a connection's key or header values"),
});
export type ColumnErrorDto = z.infer<typeof ColumnErrorDto>;

export const ToolCallDto = z.object({ id: z.string().nullable(), name: z.string(), arguments: z.string().describe("as the model wrote them (JSON text, not checked)") });
export type ToolCallDto = z.infer<typeof ToolCallDto>;

/** What a column called: the same in the start event and in the stored run. */
const ColumnHead = z.object({
  position: z.number().int().describe("0-based, left to right"),
  versionId: z.string().nullable().describe("the saved version called; null for edits"),
  basedOnVersionId: z.string().nullable().describe("edits: the version they started from, if said"),
  versionLabel: z.string().nullable().describe("the version's label (for edits, their base's)"),
  model: z.string(),
  providerId: z.string(),
  providerName: z.string().describe("the connection's name at the time of the run"),
});

export const ColumnResultDto = ColumnHead.extend({
  settings: LlmSettings.nullable().describe("edits only: the settings as called"),
  content: z.string().describe("the answer's text"),
  toolCalls: z.array(ToolCallDto),
  finishReason: z.string().nullable(),
  inputTokens: z.number().int().nullable().describe("as the provider counted them; null without usage"),
  outputTokens: z.number().int().nullable(),
  costUsd: z.number().nullable().describe("from the model's price per million tokens; null without a price or without usage"),
  latencyMs: z.number().int().describe("from sending the request to the end of the answer (or the failure)"),
  ttftMs: z.number().int().nullable().describe("to the first token of text or of a tool call; null if none came"),
  error: ColumnErrorDto.nullable(),
});
export type ColumnResultDto = z.infer<typeof ColumnResultDto>;

export const PlaygroundRunDto = z.object({
  id: z.string(),
  configKey: z.string(),
  createdAt: z.date().describe("when the run started"),
  durationMs: z.number().int(),
  actor: z.object({ type: z.enum(["user", "api_key", "controller", "system"]), label: z.string() }).describe("who ran it"),
  variables: z.record(z.string(), z.string()),
  userMessage: z.string(),
  columns: z.array(ColumnResultDto),
});
export type PlaygroundRunDto = z.infer<typeof PlaygroundRunDto>;

export const RunsPageDto = z.object({ runs: z.array(PlaygroundRunDto), nextCursor: z.string().nullable() });
export type RunsPageDto = z.infer<typeof RunsPageDto>;

const column = z.number().int().describe("the column's position");

export const StartEvent = z.object({ type: z.literal("start"), runId: z.string(), startedAt: z.date(), columns: z.array(ColumnHead) });
export const DeltaEvent = z.object({
  type: z.literal("delta"),
  column,
  content: z.string().optional().describe("the next piece of the answer's text"),
  toolCalls: z
    .array(z.object({ index: z.number().int(), id: z.string().optional(), name: z.string().optional(), arguments: z.string().optional().describe("the next piece of the arguments") }))
    .optional(),
});
export const DoneEvent = z.object({ type: z.literal("done"), column, result: ColumnResultDto.describe("the column's answer or error, as stored") });
export const RunEvent = z.object({ type: z.literal("run"), run: PlaygroundRunDto.describe("the run as stored: the last event") });
export const FailedEvent = z.object({
  type: z.literal("failed"),
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }).describe("the product's error shape: the stream broke off (e.g. the run could not be stored)"),
});
export const PlaygroundEvent = z.discriminatedUnion("type", [StartEvent, DeltaEvent, DoneEvent, RunEvent, FailedEvent]);
export type PlaygroundEvent = z.infer<typeof PlaygroundEvent>;
export type ColumnHead = z.infer<typeof ColumnHead>;
