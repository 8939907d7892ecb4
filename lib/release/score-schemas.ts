import { z } from "zod";
import { MAX_SCORE_MAGNITUDE, SCORE_KEY_PATTERN } from "../limits";
import { plainNumber } from "./score-words";

// Custom per-request scores of a config (issue 17): what a client may send under `scores`, and
// the threshold a rollout judges a guardrail score by. A boolean score is stored as 0/1, so its
// mean is its pass rate and both kinds are judged from the same sums (count, sum, sum of squares).

export const ScoreKeySchema = z.string().regex(SCORE_KEY_PATTERN, "must be 1-64 lower-case letters, digits, _ or -, starting with a letter, like groundedness");

export const SCORE_KINDS = ["boolean", "numeric"] as const;
export const SCORE_DIRECTIONS = ["higher_is_better", "lower_is_better"] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];
export type ScoreDirection = (typeof SCORE_DIRECTIONS)[number];

/**
 * How much worse the canary may be. `difference`: worse by at most `value` in the score's unit
 * (a boolean's pass rate in proportion points: 0.02 is 2 points). `ratio`: worse by at most a
 * factor `value` > 1 (lower_is_better: canary mean up to value × stable's; higher_is_better:
 * down to stable's / value).
 */
export const ScoreThresholdSchema = z.discriminatedUnion("form", [
  z.object({ form: z.literal("difference"), value: z.number("must be a number").gt(0, "must be greater than 0").max(MAX_SCORE_MAGNITUDE, `must be at most ${MAX_SCORE_MAGNITUDE}`) }).strict(),
  z.object({ form: z.literal("ratio"), value: z.number("must be a number").gt(1, "must be greater than 1").max(1000, "must be at most 1000") }).strict(),
], { error: "must be { form: \"difference\" | \"ratio\", value }" });
export type ScoreThreshold = z.infer<typeof ScoreThresholdSchema>;

const magnitude = z.number("must be a number").min(-MAX_SCORE_MAGNITUDE, `must be at least -${MAX_SCORE_MAGNITUDE}`).max(MAX_SCORE_MAGNITUDE, `must be at most ${MAX_SCORE_MAGNITUDE}`);

const DefinitionFields = {
  label: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  description: z.string().max(2000, "must be at most 2000 characters"),
  direction: z.enum(SCORE_DIRECTIONS, "must be higher_is_better or lower_is_better"),
  guardrail: z.boolean("must be true or false"),
  threshold: ScoreThresholdSchema,
};

/** The default threshold of a score without one: 2 points of pass rate, or 5 % of the range. */
export function defaultScoreThreshold(kind: ScoreKind, min: number | null, max: number | null): ScoreThreshold {
  if (kind === "boolean" || min === null || max === null) return { form: "difference", value: 0.02 };
  return { form: "difference", value: Number(((max - min) * 0.05).toPrecision(6)) };
}

type Range = { kind: ScoreKind; min?: number | null; max?: number | null };

/** A number as a person writes it: 0.30000000000000004 is 0.3. */

/**
 * What is wrong with `threshold` for a score of this kind and range (paths under the threshold):
 * a definition's own threshold and a rollout's override of it obey the same rules.
 */
export function thresholdProblems(def: Range, threshold: ScoreThreshold): { path: string[]; message: string }[] {
  if (def.kind === "boolean") {
    return threshold.form === "difference" && threshold.value >= 1
      ? [{ path: ["value"], message: "must be below 1 for a boolean score (a change in its rate of true: 0.02 is 2 points)" }]
      : [];
  }
  if (typeof def.min !== "number" || typeof def.max !== "number" || def.max <= def.min) return [];
  if (threshold.form === "difference" && threshold.value >= def.max - def.min) {
    return [{ path: ["value"], message: `must be below the range's width (${plainNumber(def.max - def.min)})` }];
  }
  // A ratio of two means says how many times worse only when neither can be negative.
  if (threshold.form === "ratio" && def.min < 0) {
    return [{ path: ["form"], message: `must be difference for a score whose range includes negative values (min ${plainNumber(def.min)})` }];
  }
  return [];
}

/** Range and threshold rules shared by create and update (an update is checked merged with the row). */
export function checkDefinition(def: Range & { threshold?: ScoreThreshold }, ctx: z.RefinementCtx) {
  // Runs on what the fields' own schemas may have refused: judge only what is well-formed.
  if (!(SCORE_KINDS as readonly unknown[]).includes(def.kind)) return;
  const isNumber = (v: unknown): v is number => typeof v === "number";
  if (def.kind === "boolean") {
    for (const field of ["min", "max"] as const) {
      if (def[field] !== undefined && def[field] !== null) ctx.addIssue({ code: "custom", path: [field], message: "must be absent for a boolean score (its values are true and false)" });
    }
  } else {
    if (def.min === undefined || def.min === null) ctx.addIssue({ code: "custom", path: ["min"], message: "is required for a numeric score" });
    if (def.max === undefined || def.max === null) ctx.addIssue({ code: "custom", path: ["max"], message: "is required for a numeric score" });
    if (isNumber(def.min) && isNumber(def.max) && def.max <= def.min) ctx.addIssue({ code: "custom", path: ["max"], message: "must be greater than min" });
  }
  const threshold = ScoreThresholdSchema.safeParse(def.threshold);
  if (!threshold.success) return;
  for (const problem of thresholdProblems(def, threshold.data)) ctx.addIssue({ code: "custom", path: ["threshold", ...problem.path], message: problem.message });
}

export const CreateScoreInput = z
  .object({
    key: ScoreKeySchema,
    kind: z.enum(SCORE_KINDS, "must be boolean or numeric"),
    min: magnitude.nullish(),
    max: magnitude.nullish(),
    ...DefinitionFields,
    description: DefinitionFields.description.default(""),
    guardrail: DefinitionFields.guardrail.default(true),
    direction: DefinitionFields.direction.default("higher_is_better"),
    threshold: ScoreThresholdSchema.optional(),
  })
  .strict()
  .superRefine(checkDefinition);
export type CreateScoreInput = z.infer<typeof CreateScoreInput>;

/** PATCH: any of label, description, direction, guardrail, threshold, range; never key or kind. */
export const UpdateScoreInput = z
  .object({
    min: magnitude.nullish(),
    max: magnitude.nullish(),
    ...DefinitionFields,
  })
  .partial()
  .strict();
export type UpdateScoreInput = z.infer<typeof UpdateScoreInput>;

export const ScoreDefinitionDto = z.object({
  key: z.string(),
  label: z.string(),
  description: z.string(),
  kind: z.enum(SCORE_KINDS),
  min: z.number().nullable(),
  max: z.number().nullable(),
  direction: z.enum(SCORE_DIRECTIONS),
  guardrail: z.boolean().describe("true: judged, may hold or roll back a stage; false: tracked (charted and reported only)"),
  threshold: ScoreThresholdSchema.describe("the default a rollout copies when it starts"),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ScoreDefinitionDto = z.infer<typeof ScoreDefinitionDto>;
