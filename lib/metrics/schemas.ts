import { z } from "zod";
import { ConfigKeySchema } from "../release/config-schemas";
import { ScoreKeySchema } from "../release/score-schemas";

import {
  MAX_BATCH_EVENTS,
  MAX_COMMENT_CHARS,
  MAX_COST_USD,
  MAX_ERROR_TYPE_CHARS,
  MAX_LATENCY_MS,
  MAX_REQUEST_ID_CHARS,
  MAX_SAMPLE_CHARS,
  MAX_SCORES_PER_EVENT,
  MAX_TOKENS,
  MAX_VERSION_ID_CHARS,
} from "../limits";

/** Fits a full batch with samples of typical text; a client with larger bodies sends smaller batches (413 says so). */
export const METRICS_MAX_BODY_BYTES = 10_000_000;

export const RequestIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(MAX_REQUEST_ID_CHARS, `must be at most ${MAX_REQUEST_ID_CHARS} characters`)
  .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");

const count = z.number().int("must be a whole number").min(0, "must be 0 or more").max(MAX_TOKENS, `must be at most ${MAX_TOKENS}`);
// Truncated inside the nullish wrapper, so an event without a sample (most) skips the transform:
// a transform around the whole field ran for every absent one too, a third of a batch's check.
const sample = z
  .string()
  .transform((text) => text.slice(0, MAX_SAMPLE_CHARS))
  .nullish();

export const RatingSchema = z.number().int("must be a whole number from 1 to 5").min(1, "must be from 1 to 5").max(5, "must be from 1 to 5");

/** What a value that is neither a number nor a boolean is, for the message: "not a string". */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  // JSON's 1e400 parses to Infinity.
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : "an infinite number";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

const ScoreValue = z.union([z.number(), z.boolean()], { error: (issue) => `must be a number or true/false, not ${kindOf(issue.input)}` });

/**
 * A request's custom scores, `{ "<score key>": number | boolean }`, checked for shape here; that
 * each key is a score of the config, of that kind and within its range is checked against the
 * config's definitions at ingest (lib/metrics/score-check.ts).
 */
export const ScoresInput = z
  .record(ScoreKeySchema, ScoreValue, {
    error: (issue) => {
      if (issue.code === "invalid_key") return `is not a score key: it ${issue.issues[0]?.message ?? "must match the score key pattern"}`;
      if (issue.code === "invalid_type" && issue.input !== undefined) return 'must be an object of score values like { "groundedness": 0.8 }';
      return undefined;
    },
  })
  .refine((scores) => Object.keys(scores).length <= MAX_SCORES_PER_EVENT, `must hold at most ${MAX_SCORES_PER_EVENT} scores`);
export type ScoresInput = z.infer<typeof ScoresInput>;

export const OutcomeEventInput = z
  .object({
    requestId: RequestIdSchema,
    config: ConfigKeySchema,
    versionId: z.string().min(1, "must not be empty").max(MAX_VERSION_ID_CHARS, `must be at most ${MAX_VERSION_ID_CHARS} characters`),
    rolloutId: z
      .string()
      .max(MAX_VERSION_ID_CHARS, `must be at most ${MAX_VERSION_ID_CHARS} characters`)
      .nullish()
      .describe("the route answer's rolloutId (null: routed outside any rollout); when absent, the rollout that served this version at `at`"),
    isError: z.boolean(),
    latencyMs: z.number().min(0, "must be 0 or more").max(MAX_LATENCY_MS, `must be at most ${MAX_LATENCY_MS} (one hour)`),
    ttftMs: z
      .number()
      .min(0, "must be 0 or more")
      .max(MAX_LATENCY_MS, `must be at most ${MAX_LATENCY_MS} (one hour)`)
      .nullish()
      .describe("time to first token of a streamed answer, in ms (the gateway records it)"),
    rating: RatingSchema.nullish(),
    errorType: z.string().max(MAX_ERROR_TYPE_CHARS, `must be at most ${MAX_ERROR_TYPE_CHARS} characters`).nullish(),
    inputTokens: count.nullish(),
    outputTokens: count.nullish(),
    costUsd: z
      .number()
      .min(0, "must be 0 or more")
      .max(MAX_COST_USD, `must be at most ${MAX_COST_USD}`)
      .nullish()
      .describe("what the request cost in USD; when absent, priced from inputTokens and outputTokens by the version's model (GET /api/admin/model-prices)"),
    input: sample,
    output: sample,
    scores: ScoresInput.nullish().describe("the request's custom scores by key: numbers for numeric scores, true/false for boolean ones"),
    at: z.iso
      .datetime({ offset: true, error: "must be an ISO 8601 date-time like 2026-11-26T10:00:00Z" })
      .nullish()
      .describe("when the request happened (default: when the event arrives); at most 5 minutes ahead and LLM_CANARY_RETENTION_DAYS (30) days old"),
  })
  .strict();
export type OutcomeEventInput = z.infer<typeof OutcomeEventInput>;

const eventList = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1, "must hold at least 1 event").max(MAX_BATCH_EVENTS, `must hold at most ${MAX_BATCH_EVENTS} events`);

export const MetricsBatchInput = z.object({ events: eventList(OutcomeEventInput) }).strict();
/** The batch with its events not yet checked: the service checks them a slice at a time. */
export const MetricsBatchEnvelope = z.object({ events: eventList(z.unknown()) }).strict();

export const MetricsAcceptedDto = z.object({
  accepted: z.number().int().describe("events stored now"),
  duplicates: z.number().int().describe("events whose (config, requestId) was already stored; ignored"),
});
export type MetricsAcceptedDto = z.infer<typeof MetricsAcceptedDto>;

const LateScoreInput = z
  .object({
    requestId: RequestIdSchema.describe("the reported outcome's request id"),
    config: ConfigKeySchema.optional().describe("only needed when the same request id was reported for several configs"),
    scores: ScoresInput.refine((scores) => Object.keys(scores).length > 0, "must hold at least 1 score").describe(
      "at least 1 score by key; a key sent again for the same request replaces its earlier value",
    ),
  })
  .strict();
type LateScoreInput = z.infer<typeof LateScoreInput>;

export const LateScoresBatchInput = z.object({ events: eventList(LateScoreInput) }).strict();

export const ScoresAcceptedDto = z.object({
  accepted: z.number().int().describe("score values stored (every one sent: a batch is stored whole or not at all)"),
  replaced: z.number().int().describe("of those, the ones that replaced an earlier value of the same request and key, which moved to that score's history"),
});
export type ScoresAcceptedDto = z.infer<typeof ScoresAcceptedDto>;

export const FeedbackInput = z
  .object({
    requestId: RequestIdSchema,
    rating: RatingSchema,
    comment: z.string().max(MAX_COMMENT_CHARS, `must be at most ${MAX_COMMENT_CHARS} characters`).nullish(),
    config: ConfigKeySchema.optional().describe("only needed when the same request id was reported for several configs"),
  })
  .strict();

export const FeedbackDto = z.object({
  requestId: z.string(),
  config: z.string(),
  rating: z.number().int(),
  replaced: z.number().int().nullable().describe("the rating this one replaced, if any"),
});
export type FeedbackDto = z.infer<typeof FeedbackDto>;
