import { z } from "zod";
import { parseTemplate } from "../template/parse";
import { SCORE_KEY_PATTERN } from "../limits";
import type { AnswerFormat } from "./answer";

// Online evaluators (issue 14): the request and answer shapes of their admin API and of the
// evaluation log. How an answer is read is lib/evaluators/answer.ts; which outcomes are chosen,
// lib/evaluators/sampling.ts.

export const MAX_EVALUATORS = 20;
export const MAX_PROMPT_CHARS = 20_000;
/** A judge's answer is kept up to this many characters in the log. */
export const MAX_RAW_ANSWER_CHARS = 2_000;

/** Up to 8 keys of up to 64 characters, joined by dots. */
const FIELD_PATH = /^[A-Za-z0-9_$-]{1,64}(\.[A-Za-z0-9_$-]{1,64}){0,7}$/;

const scale = {
  min: z.number("must be a number").min(-1e9, "must be at least -1000000000").max(1e9, "must be at most 1000000000").optional(),
  max: z.number("must be a number").min(-1e9, "must be at least -1000000000").max(1e9, "must be at most 1000000000").optional(),
};

export const AnswerFormatSchema = z
  .discriminatedUnion(
    "format",
    [
      z.object({ format: z.literal("number"), ...scale }).strict(),
      z
        .object({
          format: z.literal("json_field"),
          field: z
            .string("must be a dotted path like score or verdict.score")
            .regex(FIELD_PATH, "must be a dotted path like score or verdict.score (letters, digits, _, $ and -)"),
          ...scale,
        })
        .strict(),
      z.object({ format: z.literal("pass_fail") }).strict(),
    ],
    { error: 'must be { format: "number" | "json_field" | "pass_fail", … }' },
  )
  .superRefine((answer, ctx) => {
    if ("min" in answer && "max" in answer && answer.min !== undefined && answer.max !== undefined && answer.max <= answer.min) {
      ctx.addIssue({ code: "custom", path: ["max"], message: "must be greater than min" });
    }
  }) satisfies z.ZodType<AnswerFormat>;

/** A judge prompt: a template (lib/template) that uses {{output}}. */
const PromptSchema = z
  .string("must be a text")
  .min(1, "must not be empty")
  .max(MAX_PROMPT_CHARS, `must be at most ${MAX_PROMPT_CHARS} characters`)
  .superRefine((prompt, ctx) => {
    const parsed = parseTemplate(prompt);
    if (!parsed.ok) {
      const [first] = parsed.problems;
      ctx.addIssue({ code: "custom", message: `is not a valid template: ${first.message} (line ${first.line}, column ${first.column})` });
    } else if (!parsed.template.variables.some((v) => v.name === "output")) {
      ctx.addIssue({ code: "custom", message: "must use {{output}}: the answer the judge is to score" });
    }
  });

const Fields = {
  name: z.string("must be a text").trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  scoreKey: z.string("must be a text").regex(SCORE_KEY_PATTERN, "must be the key of one of the config's scores"),
  providerId: z.string("must be a text").min(1, "must name a provider connection").max(100, "must be at most 100 characters"),
  model: z.string("must be a text").trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
  prompt: PromptSchema,
  answer: AnswerFormatSchema,
  sampleRate: z.number("must be a number").min(0, "must be from 0 to 1").max(1, "must be from 0 to 1"),
  minPerMinute: z.number("must be a number").int("must be a whole number").min(0, "must be from 0 to 1000").max(1000, "must be from 0 to 1000"),
  maxPerMinute: z.number("must be a number").int("must be a whole number").min(1, "must be from 1 to 10000").max(10_000, "must be from 1 to 10000"),
  enabled: z.boolean("must be true or false"),
};

function checkPerMinute(input: { minPerMinute?: number; maxPerMinute?: number }, ctx: z.RefinementCtx) {
  if (input.minPerMinute !== undefined && input.maxPerMinute !== undefined && input.minPerMinute > input.maxPerMinute) {
    ctx.addIssue({ code: "custom", path: ["minPerMinute"], message: `must be at most maxPerMinute (${input.maxPerMinute})` });
  }
}

export const CreateEvaluatorInput = z
  .object({
    ...Fields,
    sampleRate: Fields.sampleRate.default(0.1),
    minPerMinute: Fields.minPerMinute.default(5),
    maxPerMinute: Fields.maxPerMinute.default(60),
    enabled: Fields.enabled.default(true),
  })
  .strict()
  .superRefine(checkPerMinute);
export type CreateEvaluatorInput = z.infer<typeof CreateEvaluatorInput>;

/** PATCH: any field; the merged evaluator is checked as a whole. */
export const UpdateEvaluatorInput = z.object(Fields).partial().strict();
export type UpdateEvaluatorInput = z.infer<typeof UpdateEvaluatorInput>;

export const EvaluatorDto = z.object({
  id: z.string(),
  name: z.string(),
  scoreKey: z.string().describe("the config's custom score it writes"),
  providerId: z.string(),
  model: z.string(),
  prompt: z.string(),
  answer: AnswerFormatSchema,
  sampleRate: z.number(),
  minPerMinute: z.number().int(),
  maxPerMinute: z.number().int(),
  enabled: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type EvaluatorDto = z.infer<typeof EvaluatorDto>;

export const EVALUATION_STATUSES = ["pending", "done", "failed"] as const;

export const EvaluationDto = z.object({
  id: z.string(),
  evaluatorId: z.string(),
  evaluatorName: z.string().nullable().describe("null when the evaluator was deleted since"),
  scoreKey: z.string().nullable(),
  requestId: z.string(),
  variant: z.enum(["stable", "canary"]),
  status: z.enum(EVALUATION_STATUSES),
  attempts: z.number().int(),
  score: z.number().nullable(),
  rawAnswer: z.string().nullable().describe(`the judge's answer, cut to ${MAX_RAW_ANSWER_CHARS} characters`),
  latencyMs: z.number().int().nullable(),
  inputTokens: z.number().int().nullable(),
  outputTokens: z.number().int().nullable(),
  costUsd: z.number().nullable().describe("every attempt's cost summed; null when the judge model has no price"),
  error: z.string().nullable().describe("why the last attempt failed; never holds a key"),
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
});
export type EvaluationDto = z.infer<typeof EvaluationDto>;

export const EvaluationTotalsDto = z.object({
  evaluatorId: z.string(),
  evaluatorName: z.string().nullable(),
  pending: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  meanScore: z.number().nullable(),
  costUsd: z.number().describe("what this evaluator's calls for the rollout cost, as far as priced"),
});

export const EvaluationLogDto = z.object({
  evaluations: z.array(EvaluationDto).describe("newest first"),
  nextCursor: z.string().nullable(),
  totals: z.object({ costUsd: z.number(), byEvaluator: z.array(EvaluationTotalsDto) }),
});
export type EvaluationLogDto = z.infer<typeof EvaluationLogDto>;

export const EvaluationLogQuery = z
  .object({
    status: z.enum(EVALUATION_STATUSES).optional(),
    limit: z.coerce.number().int("must be a whole number").min(1, "must be from 1 to 200").max(200, "must be from 1 to 200").default(50),
    cursor: z.string().regex(/^\d{1,18}$/, "must be the nextCursor of a previous page").optional(),
  })
  .strict();
