import { z } from "zod";
import { retentionSettings } from "../db/retention";
import type { Db, DbOrTx } from "../db/types";
import { NotFoundError } from "../errors";
import { findSamplePolicy } from "../release/repo";
import { findRollout } from "../release/rollout-repo";
import { SamplePolicyDto } from "../release/sample-policy";
import { CursorSchema, parseInput } from "../validation";

// GET /api/admin/rollouts/{id}/samples: the requests to read after (or before) a rollback — the
// worst-rated and the erroring ones, with their input and output samples — newest first, and what
// is kept of them: the config's sample policy and how long outcomes are kept.

export const SamplesQuery = z
  .object({
    variant: z.enum(["canary", "stable"]).default("canary"),
    maxRating: z.coerce.number().int("must be a whole number from 1 to 5").min(1, "must be from 1 to 5").max(5, "must be from 1 to 5").optional(),
    errors: z.enum(["true", "false"]).optional().describe("true: erroring requests (with maxRating: erroring or rated at most maxRating)"),
    limit: z.coerce.number().int("must be a whole number").min(1, "must be from 1 to 200").max(200, "must be from 1 to 200").default(50),
    cursor: CursorSchema("must be the nextCursor of a previous page").optional(),
  })
  .strict();

export const SampleDto = z.object({
  requestId: z.string(),
  versionId: z.string(),
  at: z.date(),
  isError: z.boolean(),
  errorType: z.string().nullable(),
  latencyMs: z.number().int(),
  ttftMs: z.number().int().nullable().describe("time to first token of a streamed answer"),
  rating: z.number().int().nullable(),
  ratingComment: z.string().nullable(),
  input: z.string().nullable(),
  output: z.string().nullable(),
  inputTokens: z.number().int().nullable(),
  outputTokens: z.number().int().nullable(),
  costUsd: z.number().nullable(),
});

const KeptDto = z.object({
  samplePolicy: SamplePolicyDto.describe("the config's sample policy now: which outcomes keep their input and output samples"),
  retentionDays: z.number().int().describe("outcomes, samples and all, are kept this many days (LLM_CANARY_RETENTION_DAYS); older whole days are dropped"),
});

export const SamplesPageDto = z.object({ samples: z.array(SampleDto), nextCursor: z.string().nullable(), kept: KeptDto });
export type SamplesPageDto = z.infer<typeof SamplesPageDto>;

function findSamples(db: DbOrTx, rolloutId: string, q: z.infer<typeof SamplesQuery>) {
  const filters = [
    ...(q.maxRating !== undefined ? [{ rating: { lte: q.maxRating } }] : []),
    ...(q.errors === "true" ? [{ isError: true }] : []),
  ];
  return db.outcome.findMany({
    where: {
      rolloutId,
      variant: q.variant,
      ...(filters.length ? { OR: filters } : {}),
      ...(q.cursor ? { id: { lt: BigInt(q.cursor) } } : {}),
    },
    orderBy: { id: "desc" },
    take: q.limit + 1,
  });
}

export async function listSamples(db: Db, rolloutId: string, query: Record<string, string>): Promise<SamplesPageDto> {
  const q = parseInput(SamplesQuery, query, "query");
  const rollout = await findRollout(db, rolloutId);
  if (!rollout) throw new NotFoundError(`No rollout with id ${rolloutId}.`);
  const rows = await findSamples(db, rolloutId, q);
  const page = rows.slice(0, q.limit);
  const policy = await findSamplePolicy(db, rollout.configId);
  return SamplesPageDto.parse({
    samples: page,
    nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null,
    kept: { samplePolicy: { keep: policy.samplePolicy, fraction: policy.sampleFraction }, retentionDays: retentionSettings().outcomes },
  });
}
