import { z } from "zod";
import { MAX_NAME_CHARS, NAME_PATTERN } from "../template/syntax";
import { checkJsonSchema } from "./json-schema-check";
import { systemPromptOf } from "./llm-template";

// The LLM settings a version holds, listed once. Everything else derives from this shape: the
// version create/read bodies (version-schemas.ts), the database columns (named as these fields;
// version-repo.ts), the snapshot's serialized `llm` and the /api/route and /api/routing-state
// answers (lib/snapshot, lib/hot), the OpenAPI document and the SDK's types (lib/sdk). A field added
// here reaches all of them; tests/unit/llm-settings-carried.test.ts fails if one is left behind.

/** Every size the settings may reach, in one place; each check below names its limit. */
export const LLM_LIMITS = {
  messages: 100,
  messageChars: 100_000,
  /** All message contents together. */
  totalMessageChars: 200_000,
  tools: 32,
  toolDescriptionChars: 2_000,
  /** One JSON Schema (tool parameters, response schema), serialized. */
  schemaBytes: 16_384,
  /** Nesting of objects and arrays in a JSON Schema or a JSON object field. */
  jsonDepth: 32,
  /** `params` and `retrievalStrategy.params`, serialized. */
  paramsBytes: 16_384,
  stop: 16,
  stopChars: 500,
  variables: 64,
  variableDefaultChars: 10_000,
  variableDescriptionChars: 500,
} as const;

/** A variable name, as the template language reads `{{name}}`. */
const VariableName = z
  .string()
  .max(MAX_NAME_CHARS, `must be at most ${MAX_NAME_CHARS} characters`)
  .regex(NAME_PATTERN, "must be a letter or underscore, then letters, digits or underscores, like customer_name");
/** A tool or response-schema name, as OpenAI-compatible APIs accept it. */
const FunctionName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or hyphens, like lookup_order");

/** How deeply arrays and objects nest in a parsed JSON value (iterative, stops past the limit). */
function jsonDepth(value: unknown, limit: number = LLM_LIMITS.jsonDepth): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    max = Math.max(max, depth + 1);
    if (max > limit) return max;
    for (const item of Array.isArray(v) ? v : Object.values(v)) stack.push([item, depth + 1]);
  }
  return max;
}

/**
 * A JSON object of free parameters. Values are whatever JSON the body held (it was parsed from
 * JSON), so z.unknown() suffices and keeps the OpenAPI schema free of recursive references.
 * Depth first, without recursion: the size check serializes, and JSON.stringify of a value nested
 * thousands deep overflows the stack.
 */
const JsonObjectSchema = z
  .record(z.string().max(100, "keys must be at most 100 characters"), z.unknown())
  .refine((value) => jsonDepth(value) <= LLM_LIMITS.jsonDepth, { message: `must be nested at most ${LLM_LIMITS.jsonDepth} levels deep`, abort: true })
  .refine((value) => JSON.stringify(value).length <= LLM_LIMITS.paramsBytes, `must be at most ${LLM_LIMITS.paramsBytes} bytes as JSON`);

/** A JSON Schema describing an object: bounded in depth and size, then checked structurally (json-schema-check.ts). */
const ObjectJsonSchema = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    if (jsonDepth(value) > LLM_LIMITS.jsonDepth) {
      ctx.addIssue({ code: "custom", message: `must be nested at most ${LLM_LIMITS.jsonDepth} levels deep` });
      return;
    }
    if (JSON.stringify(value).length > LLM_LIMITS.schemaBytes) {
      ctx.addIssue({ code: "custom", message: `must be at most ${LLM_LIMITS.schemaBytes} bytes as JSON` });
      return;
    }
    for (const issue of checkJsonSchema(value, { rootObject: true })) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  })
  .describe("a JSON Schema (draft 2020-12) with `type: \"object\"`");

export const MESSAGE_ROLES = ["system", "developer", "user", "assistant"] as const;
export const HISTORY_ROLE = "placeholder";

const content = z.string().max(LLM_LIMITS.messageChars, `must be at most ${LLM_LIMITS.messageChars} characters`);
/** A message of the template: `{{variables}}` in `content` are filled in when the app sends values. */
const ChatMessage = z.object({ role: z.enum(MESSAGE_ROLES), content: content.describe("text with `{{variable}}` placeholders") }).strict();
/**
 * Where the app's conversation history goes: the app replaces this message with its own turns.
 * It stays in `rendered` as it is; `name` tells several apart.
 */
const HistoryPlaceholder = z
  .object({ role: z.literal(HISTORY_ROLE), name: VariableName.describe("e.g. history") })
  .strict()
  .describe("the place of the app's conversation history");
const ALL_ROLES = [...MESSAGE_ROLES, HISTORY_ROLE].join(", ");
export const TemplateMessage = z.discriminatedUnion("role", [ChatMessage, HistoryPlaceholder], {
  error: (issue) => (issue.code === "invalid_union" ? `must be one of ${ALL_ROLES}` : undefined),
});

const Messages = z
  .array(TemplateMessage)
  .min(1, "must hold at least one message")
  .max(LLM_LIMITS.messages, `must hold at most ${LLM_LIMITS.messages} messages`)
  .superRefine((messages, ctx) => {
    const total = messages.reduce((sum, m) => sum + ("content" in m ? m.content.length : 0), 0);
    if (total > LLM_LIMITS.totalMessageChars) {
      ctx.addIssue({ code: "custom", message: `must be at most ${LLM_LIMITS.totalMessageChars} characters in all; they are ${total}` });
    }
    const seen = new Set<string>();
    messages.forEach((m, i) => {
      if (m.role !== HISTORY_ROLE) return;
      if (seen.has(m.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `repeats the placeholder \`${m.name}\`` });
      seen.add(m.name);
    });
  });

const ToolSchema = z
  .object({
    name: FunctionName,
    description: z.string().max(LLM_LIMITS.toolDescriptionChars, `must be at most ${LLM_LIMITS.toolDescriptionChars} characters`).default(""),
    parameters: ObjectJsonSchema.default({ type: "object", properties: {} }),
  })
  .strict();

const Tools = z
  .array(ToolSchema)
  .max(LLM_LIMITS.tools, `must hold at most ${LLM_LIMITS.tools} tools`)
  .superRefine((tools, ctx) => {
    const seen = new Set<string>();
    tools.forEach((tool, i) => {
      if (seen.has(tool.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `repeats the tool name \`${tool.name}\`` });
      seen.add(tool.name);
    });
  });

/** `auto`, `none`, `required` (some tool), or `{ name }` (that tool). */
const ToolChoiceSchema = z.union([z.enum(["auto", "none", "required"]), z.object({ name: FunctionName }).strict()]);

const ResponseFormatSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("text") }).strict(),
    z.object({ type: z.literal("json_object") }).strict(),
    z
      .object({
        type: z.literal("json_schema"),
        name: FunctionName,
        description: z.string().max(LLM_LIMITS.toolDescriptionChars, `must be at most ${LLM_LIMITS.toolDescriptionChars} characters`).optional(),
        schema: ObjectJsonSchema,
        strict: z.boolean().optional(),
      })
      .strict(),
  ],
  { error: (issue) => (issue.code === "invalid_union" ? "must be one of text, json_object, json_schema" : undefined) },
);

const RetrievalStrategySchema = z
  .object({
    type: z.string().trim().min(1, "must not be empty").max(64, "must be at most 64 characters"), // e.g. vector, hybrid, bm25
    index: z.string().max(200, "must be at most 200 characters").optional(),
    topK: z.number().int("must be a whole number").min(1, "must be at least 1").max(1000, "must be at most 1000").optional(),
    minScore: z.number().min(0, "must be from 0 to 1").max(1, "must be from 0 to 1").optional(),
    reranker: z.string().max(200, "must be at most 200 characters").optional(),
    params: JsonObjectSchema.optional(),
  })
  .strict();

/** A variable the messages use, with what the app may leave out. */
const VariableSchema = z
  .object({
    name: VariableName,
    default: z.string().max(LLM_LIMITS.variableDefaultChars, `must be at most ${LLM_LIMITS.variableDefaultChars} characters`).optional(),
    description: z.string().max(LLM_LIMITS.variableDescriptionChars, `must be at most ${LLM_LIMITS.variableDescriptionChars} characters`).optional(),
  })
  .strict();

const Variables = z
  .array(VariableSchema)
  .max(LLM_LIMITS.variables, `must hold at most ${LLM_LIMITS.variables} variables`)
  .superRefine((variables, ctx) => {
    const seen = new Set<string>();
    variables.forEach((v, i) => {
      if (seen.has(v.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `repeats the variable \`${v.name}\`` });
      seen.add(v.name);
    });
  });

/** The fields, in the order answers list them. Plain shape (no object-level refinement), so schemas can extend it. */
export const llmSettingsShape = {
  model: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
  provider: z.string().trim().min(1, "must not be empty").max(64, "must be at most 64 characters").nullable().default(null).describe("a free label: openai, anthropic, azure, vllm…"),
  providerId: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(64, "must be at most 64 characters")
    .nullable()
    .default(null)
    .describe("the provider connection (`prv_…`) the product calls this version through: playground, evaluators, gateway; null: none"),
  messages: Messages,
  temperature: z.number("must be a number").min(0, "must be from 0 to 2").max(2, "must be from 0 to 2"),
  topP: z.number("must be a number").gt(0, "must be greater than 0 and at most 1").max(1, "must be greater than 0 and at most 1").default(1),
  maxTokens: z.number("must be a number").int("must be a whole number").min(1, "must be a positive whole number").max(1_000_000, "must be at most 1000000"),
  stop: z
    .array(z.string().min(1, "must not be empty").max(LLM_LIMITS.stopChars, `must be at most ${LLM_LIMITS.stopChars} characters`))
    .max(LLM_LIMITS.stop, `must hold at most ${LLM_LIMITS.stop} sequences`)
    .default([]),
  seed: z.number("must be a number").int("must be a whole number").min(-(2 ** 31), "must fit in 32 bits").max(2 ** 31 - 1, "must fit in 32 bits").nullable().default(null),
  tools: Tools.default([]),
  toolChoice: ToolChoiceSchema.nullable().default(null).describe("null: the provider's default"),
  responseFormat: ResponseFormatSchema.nullable().default(null).describe("null: the provider's default (text)"),
  retrievalStrategy: RetrievalStrategySchema.nullable().default(null),
  params: JsonObjectSchema.default({}).describe("extra provider parameters"),
  variables: Variables.default([]).describe("the variables the messages use, with optional defaults and descriptions"),
};

export const LLM_FIELDS = Object.keys(llmSettingsShape) as (keyof typeof llmSettingsShape)[];

/** Checks that span fields: the tool choice names a tool that exists. */
export function checkLlmConsistency(settings: { tools?: LlmSettings["tools"]; toolChoice?: LlmSettings["toolChoice"] }, ctx: z.RefinementCtx): void {
  const tools = settings.tools ?? [];
  const choice = settings.toolChoice;
  if (choice === "required" && tools.length === 0) {
    ctx.addIssue({ code: "custom", path: ["toolChoice"], message: "is `required`, but there are no tools" });
  } else if (typeof choice === "object" && choice !== null && !tools.some((t) => t.name === choice.name)) {
    ctx.addIssue({ code: "custom", path: ["toolChoice", "name"], message: `names \`${choice.name}\`, which is not one of the tools` });
  }
}

export const LlmSettings = z.object(llmSettingsShape).strict().superRefine(checkLlmConsistency);
export type LlmSettings = z.output<typeof LlmSettings>;
export type TemplateMessage = z.output<typeof TemplateMessage>;
type ChatMessage = z.output<typeof ChatMessage>;
export type ToolDefinition = z.output<typeof ToolSchema>;
export type VariableDefinition = z.output<typeof VariableSchema>;

/** The settings as answers carry them (a version, /api/route, /api/routing-state): plus `systemPrompt`. */
export const LlmSettingsDto = z.object({
  ...llmSettingsShape,
  systemPrompt: z.string().describe("the first system message's content (\"\" if none), as the first API had it"),
});
export type LlmSettingsDto = z.output<typeof LlmSettingsDto>;

export function llmSettingsDtoOf(llm: LlmSettings): LlmSettingsDto {
  return { ...llm, systemPrompt: systemPromptOf(llm.messages) };
}

/** The settings of a stored row (its columns are named as the fields), in the fields' order. */
export function llmSettingsOf(row: Record<(typeof LLM_FIELDS)[number], unknown>): LlmSettings {
  return Object.fromEntries(LLM_FIELDS.map((field) => [field, row[field]])) as LlmSettings;
}
