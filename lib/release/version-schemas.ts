import { z } from "zod";

export const MAX_PROMPT_CHARS = 100_000;
const MAX_PARAMS_BYTES = 16_384;

export const VersionLabelSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, dots, hyphens or underscores, like v1.3.0");

/**
 * A JSON object of extra provider parameters, at most 16 KB serialized. Values are whatever JSON
 * the body held (it was parsed from JSON), so z.unknown() suffices and keeps the generated
 * OpenAPI schema free of recursive references.
 */
const MAX_PARAMS_DEPTH = 32;
const JsonObjectSchema = z
  .record(z.string().max(100, "keys must be at most 100 characters"), z.unknown())
  // Depth first, without recursion: the size check serializes, and JSON.stringify of a value
  // nested thousands deep overflows the stack.
  .refine((value) => depthOf(value) <= MAX_PARAMS_DEPTH, { message: `must be nested at most ${MAX_PARAMS_DEPTH} levels deep`, abort: true })
  .refine((value) => JSON.stringify(value).length <= MAX_PARAMS_BYTES, `must be at most ${MAX_PARAMS_BYTES} bytes as JSON`);

/** How deeply arrays and objects nest in a parsed JSON value (iterative). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    max = Math.max(max, depth + 1);
    if (max > MAX_PARAMS_DEPTH) return max;
    for (const item of Array.isArray(v) ? v : Object.values(v)) stack.push([item, depth + 1]);
  }
  return max;
}

export const RetrievalStrategySchema = z
  .object({
    type: z.string().trim().min(1, "must not be empty").max(64, "must be at most 64 characters"), // e.g. vector, hybrid, bm25
    index: z.string().max(200, "must be at most 200 characters").optional(),
    topK: z.number().int("must be a whole number").min(1, "must be at least 1").max(1000, "must be at most 1000").optional(),
    minScore: z.number().min(0, "must be from 0 to 1").max(1, "must be from 0 to 1").optional(),
    reranker: z.string().max(200, "must be at most 200 characters").optional(),
    params: JsonObjectSchema.optional(),
  })
  .strict();

export const CreateVersionInput = z
  .object({
    label: VersionLabelSchema,
    model: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
    systemPrompt: z.string().max(MAX_PROMPT_CHARS, `must be at most ${MAX_PROMPT_CHARS} characters`),
    temperature: z.number("must be a number").min(0, "must be from 0 to 2").max(2, "must be from 0 to 2"),
    topP: z.number("must be a number").gt(0, "must be greater than 0 and at most 1").max(1, "must be greater than 0 and at most 1").default(1),
    maxTokens: z.number("must be a number").int("must be a whole number").min(1, "must be a positive whole number").max(1_000_000, "must be at most 1000000"),
    retrievalStrategy: RetrievalStrategySchema.nullable().default(null),
    params: JsonObjectSchema.default({}),
    description: z.string().max(2000, "must be at most 2000 characters").default(""),
    parentVersionId: z.string().max(64).nullable().optional(),
  })
  .strict();
export type CreateVersionInput = z.infer<typeof CreateVersionInput>;

export const VersionRef = z.object({ id: z.string(), label: z.string() });

export const VersionDto = z.object({
  id: z.string(),
  configId: z.string(),
  label: z.string(),
  model: z.string(),
  systemPrompt: z.string(),
  temperature: z.number(),
  topP: z.number(),
  maxTokens: z.number().int(),
  retrievalStrategy: RetrievalStrategySchema.nullable(),
  params: z.record(z.string(), z.unknown()),
  description: z.string(),
  authorLabel: z.string(),
  parentVersionId: z.string().nullable(),
  createdAt: z.date(),
});
export type VersionDto = z.infer<typeof VersionDto>;

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
