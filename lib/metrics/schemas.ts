import { z } from "zod";
import { ConfigKeySchema } from "../release/config-schemas";

export const MAX_BATCH_EVENTS = 1000;
/** `input` and `output` samples longer than this are cut (not refused): they are samples. */
export const MAX_SAMPLE_CHARS = 4000;
export const MAX_LATENCY_MS = 3_600_000;
/** A full batch of events with maximal samples fits; anything larger is refused with 413. */
export const METRICS_MAX_BODY_BYTES = 10_000_000;

export const RequestIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");

const count = z.number().int("must be a whole number").min(0, "must be 0 or more").max(100_000_000, "must be at most 100000000");
const sample = z
  .string()
  .nullish()
  .transform((text) => (text == null ? null : text.slice(0, MAX_SAMPLE_CHARS)));

export const RatingSchema = z.number().int("must be a whole number from 1 to 5").min(1, "must be from 1 to 5").max(5, "must be from 1 to 5");

export const OutcomeEventInput = z
  .object({
    requestId: RequestIdSchema,
    config: ConfigKeySchema,
    versionId: z.string().min(1, "must not be empty").max(64, "must be at most 64 characters"),
    isError: z.boolean(),
    latencyMs: z.number().min(0, "must be 0 or more").max(MAX_LATENCY_MS, `must be at most ${MAX_LATENCY_MS} (one hour)`),
    rating: RatingSchema.nullish(),
    errorType: z.string().max(100, "must be at most 100 characters").nullish(),
    inputTokens: count.nullish(),
    outputTokens: count.nullish(),
    costUsd: z.number().min(0, "must be 0 or more").max(10_000, "must be at most 10000").nullish(),
    input: sample,
    output: sample,
    at: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time like 2026-11-26T10:00:00Z" }).nullish(),
  })
  .strict();
export type OutcomeEventInput = z.infer<typeof OutcomeEventInput>;

export const MetricsBatchInput = z
  .object({
    events: z.array(OutcomeEventInput).min(1, "must hold at least 1 event").max(MAX_BATCH_EVENTS, `must hold at most ${MAX_BATCH_EVENTS} events`),
  })
  .strict();

export const MetricsAcceptedDto = z.object({
  accepted: z.number().int().describe("events stored now"),
  duplicates: z.number().int().describe("events whose (config, requestId) was already stored; ignored"),
});
export type MetricsAcceptedDto = z.infer<typeof MetricsAcceptedDto>;

export const FeedbackInput = z
  .object({
    requestId: RequestIdSchema,
    rating: RatingSchema,
    comment: z.string().max(2000, "must be at most 2000 characters").nullish(),
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
