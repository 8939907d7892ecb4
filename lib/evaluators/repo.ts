import { Prisma } from "../db/generated/client";
import type { DbOrTx } from "../db/types";

// Evaluators and evaluations (the only module of lib/evaluators that touches the database). The
// work is shared between instances the way alert deliveries are: an evaluator's sampling pass and
// each evaluation attempt are claimed with FOR UPDATE SKIP LOCKED, so no two instances do the same
// one at once.

export type EvaluatorRow = Prisma.EvaluatorGetPayload<object>;

export function listEvaluatorRows(db: DbOrTx, configId: string): Promise<EvaluatorRow[]> {
  return db.evaluator.findMany({ where: { configId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

export function findEvaluatorRow(db: DbOrTx, configId: string, id: string): Promise<EvaluatorRow | null> {
  return db.evaluator.findFirst({ where: { id, configId } });
}

export function findEvaluatorByName(db: DbOrTx, configId: string, name: string): Promise<EvaluatorRow | null> {
  return db.evaluator.findUnique({ where: { configId_name: { configId, name } } });
}

export function countEvaluatorRows(db: DbOrTx, configId: string): Promise<number> {
  return db.evaluator.count({ where: { configId } });
}

export function insertEvaluatorRow(db: DbOrTx, data: Prisma.EvaluatorUncheckedCreateInput): Promise<EvaluatorRow> {
  return db.evaluator.create({ data });
}

export function updateEvaluatorRow(db: DbOrTx, id: string, data: Prisma.EvaluatorUncheckedUpdateInput): Promise<EvaluatorRow> {
  return db.evaluator.update({ where: { id }, data });
}

/** Deletes the evaluator and its pending evaluations; the finished ones stay in the log. */
export async function deleteEvaluatorRow(db: DbOrTx, id: string): Promise<void> {
  await db.evaluation.deleteMany({ where: { evaluatorId: id, status: "pending" } });
  await db.evaluator.delete({ where: { id } });
}

/** The newest outcome id: where a new evaluator's sampling starts. */
export async function newestOutcomeId(db: DbOrTx): Promise<bigint> {
  const [row] = await db.$queryRaw<{ id: bigint | null }[]>`SELECT max(id) AS id FROM outcomes`;
  return row?.id ?? 0n;
}

// ---- sampling -------------------------------------------------------------------------------

export interface SamplerRow {
  id: string;
  configId: string;
  prompt: string;
  sampledThrough: bigint;
  sampleRate: number;
  minPerMinute: number;
  maxPerMinute: number;
}

/** Enabled evaluators no other instance is sampling now, locked for the caller's transaction. */
export function claimEvaluatorsToSample(tx: DbOrTx, limit: number): Promise<SamplerRow[]> {
  return tx.$queryRaw<SamplerRow[]>`
    SELECT id, config_id AS "configId", prompt, sampled_through AS "sampledThrough", sample_rate AS "sampleRate",
      min_per_minute AS "minPerMinute", max_per_minute AS "maxPerMinute"
    FROM evaluators WHERE enabled ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
}

export interface OutcomeCandidate {
  id: bigint;
  variant: "stable" | "canary";
  rolloutId: string | null;
  versionId: string;
  minute: Date;
}

/**
 * The newest outcome received before `settledBefore` (null: none): the sampler looks at outcomes
 * up to it. A backward scan of the primary key over what arrived since then.
 */
export async function settledFrontier(db: DbOrTx, settledBefore: Date): Promise<bigint | null> {
  const [row] = await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM outcomes WHERE received_at < ${settledBefore} ORDER BY id DESC LIMIT 1`;
  return row?.id ?? null;
}

/**
 * The config's outcomes in (after, upTo] that have what the prompt needs (an output sample, and an
 * input one when it is used), oldest first, through the partial index of outcomes with an output.
 */
export function outcomesToSample(
  tx: DbOrTx,
  configId: string,
  range: { after: bigint; upTo: bigint },
  needsInput: boolean,
  limit: number,
): Promise<OutcomeCandidate[]> {
  return tx.$queryRaw<OutcomeCandidate[]>`
    SELECT id, variant::text AS variant, rollout_id AS "rolloutId", version_id AS "versionId", date_trunc('minute', at) AS minute
    FROM outcomes
    WHERE config_id = ${configId} AND output IS NOT NULL AND id > ${range.after} AND id <= ${range.upTo}
      AND (NOT ${needsInput} OR input IS NOT NULL)
    ORDER BY id LIMIT ${limit}`;
}

/** How many evaluations the evaluator has per minute (canary and all), for those minutes. */
export function chosenPerMinute(tx: DbOrTx, evaluatorId: string, minutes: Date[]): Promise<{ minute: Date; canary: number; total: number }[]> {
  if (minutes.length === 0) return Promise.resolve([]);
  return tx.$queryRaw`
    SELECT minute, (count(*) FILTER (WHERE variant = 'canary'))::integer AS canary, count(*)::integer AS total
    FROM evaluations WHERE evaluator_id = ${evaluatorId} AND minute = ANY(${minutes}::timestamptz[]) GROUP BY minute`;
}

export function insertEvaluations(tx: DbOrTx, rows: Prisma.EvaluationCreateManyInput[]) {
  return tx.evaluation.createMany({ data: rows, skipDuplicates: true });
}

export function setSampledThrough(tx: DbOrTx, id: string, through: bigint) {
  return tx.$executeRaw`UPDATE evaluators SET sampled_through = ${through} WHERE id = ${id}`;
}

// ---- evaluating -----------------------------------------------------------------------------

/**
 * An evaluation's outcome: by id within the minute the evaluation keeps, so only that day's
 * partition of outcomes is searched. (Null once retention has dropped the day.)
 */
const OUTCOME_OF_EVALUATION = Prisma.sql`o.id = ev.outcome_id AND o.at >= ev.minute AND o.at < ev.minute + interval '1 minute'`;

/** The connections with evaluations due now. */
export async function connectionsWithDueWork(db: DbOrTx, now: Date): Promise<string[]> {
  const rows = await db.$queryRaw<{ provider_id: string }[]>`
    SELECT DISTINCT e.provider_id FROM evaluations ev JOIN evaluators e ON e.id = ev.evaluator_id
    WHERE ev.status = 'pending' AND ev.next_attempt_at <= ${now} AND e.enabled`;
  return rows.map((r) => r.provider_id);
}

/**
 * Up to `limit` due evaluations through one connection, canary first, locked for the caller's
 * transaction and skipped by every other instance meanwhile.
 */
export function claimDueEvaluations(tx: DbOrTx, providerId: string, now: Date, limit: number): Promise<{ id: bigint }[]> {
  return tx.$queryRaw`
    SELECT ev.id FROM evaluations ev JOIN evaluators e ON e.id = ev.evaluator_id
    WHERE ev.status = 'pending' AND ev.next_attempt_at <= ${now} AND e.enabled AND e.provider_id = ${providerId}
    ORDER BY (ev.variant = 'canary') DESC, ev.next_attempt_at, ev.id LIMIT ${limit} FOR UPDATE OF ev SKIP LOCKED`;
}

/** Takes the claimed evaluations out of reach until `leaseUntil` and counts the attempt. */
export function leaseEvaluations(tx: DbOrTx, ids: bigint[], leaseUntil: Date) {
  return tx.evaluation.updateMany({ where: { id: { in: ids } }, data: { nextAttemptAt: leaseUntil, attempts: { increment: 1 } } });
}

/** What an attempt needs: the evaluation, its evaluator, the outcome's samples and the version's variables. */
export function loadWork(db: DbOrTx, ids: bigint[]) {
  return db.$queryRaw<
    {
      id: bigint;
      attempts: number;
      costUsd: number | null;
      outcomeId: bigint;
      /** The outcome's time (ISO), null when it is gone. */
      outcomeAt: string | null;
      rolloutId: string | null;
      input: string | null;
      output: string | null;
      variables: Prisma.JsonValue | null;
      evaluatorId: string;
      configId: string;
      scoreKey: string;
      providerId: string;
      model: string;
      prompt: string;
      answer: Prisma.JsonValue;
    }[]
  >`
    SELECT ev.id, ev.attempts, ev.cost_usd AS "costUsd", ev.outcome_id AS "outcomeId", to_json(o.at) #>> '{}' AS "outcomeAt",
      ev.rollout_id AS "rolloutId", o.input, o.output, v.variables, e.id AS "evaluatorId", e.config_id AS "configId",
      e.score_key AS "scoreKey", e.provider_id AS "providerId", e.model, e.prompt, e.answer
    FROM evaluations ev JOIN evaluators e ON e.id = ev.evaluator_id
    LEFT JOIN outcomes o ON ${OUTCOME_OF_EVALUATION} LEFT JOIN versions v ON v.id = ev.version_id
    WHERE ev.id = ANY(${ids}::bigint[]) ORDER BY (ev.variant = 'canary') DESC, ev.id`;
}

/** Records an attempt's result, unless another instance took the evaluation over since (a lease that ran out). */
export function recordAttempt(db: DbOrTx, id: bigint, attempts: number, data: Prisma.EvaluationUncheckedUpdateManyInput) {
  return db.evaluation.updateMany({ where: { id, attempts, status: "pending" }, data });
}

export function findScoreDefinition(db: DbOrTx, configId: string, key: string) {
  return db.scoreDefinition.findUnique({ where: { configId_key: { configId, key } } });
}

// ---- the log --------------------------------------------------------------------------------

export function listRolloutEvaluations(db: DbOrTx, rolloutId: string, q: { status?: "pending" | "done" | "failed"; limit: number; cursor?: string }) {
  return db.$queryRaw<
    {
      id: bigint;
      evaluatorId: string;
      evaluatorName: string | null;
      scoreKey: string | null;
      requestId: string | null;
      variant: "stable" | "canary";
      status: "pending" | "done" | "failed";
      attempts: number;
      score: number | null;
      rawAnswer: string | null;
      latencyMs: number | null;
      inputTokens: number | null;
      outputTokens: number | null;
      costUsd: number | null;
      error: string | null;
      createdAt: Date;
      finishedAt: Date | null;
    }[]
  >`
    SELECT ev.id, ev.evaluator_id AS "evaluatorId", e.name AS "evaluatorName", e.score_key AS "scoreKey",
      o.request_id AS "requestId", ev.variant::text AS variant, ev.status::text AS status, ev.attempts, ev.score,
      ev.raw_answer AS "rawAnswer", ev.latency_ms AS "latencyMs", ev.input_tokens AS "inputTokens",
      ev.output_tokens AS "outputTokens", ev.cost_usd AS "costUsd", ev.error, ev.created_at AS "createdAt", ev.finished_at AS "finishedAt"
    FROM evaluations ev LEFT JOIN evaluators e ON e.id = ev.evaluator_id LEFT JOIN outcomes o ON ${OUTCOME_OF_EVALUATION}
    WHERE ev.rollout_id = ${rolloutId}
      AND (${q.status ?? null}::text IS NULL OR ev.status::text = ${q.status ?? null}::text)
      AND (${q.cursor ?? null}::bigint IS NULL OR ev.id < ${q.cursor ?? null}::bigint)
    ORDER BY ev.id DESC LIMIT ${q.limit + 1}`;
}

export function rolloutEvaluationTotals(db: DbOrTx, rolloutId: string) {
  type Totals = { evaluatorId: string; evaluatorName: string | null; pending: number; done: number; failed: number; meanScore: number | null; costUsd: number };
  return db.$queryRaw<Totals[]>`
    SELECT ev.evaluator_id AS "evaluatorId", min(e.name) AS "evaluatorName",
      (count(*) FILTER (WHERE ev.status = 'pending'))::integer AS pending,
      (count(*) FILTER (WHERE ev.status = 'done'))::integer AS done,
      (count(*) FILTER (WHERE ev.status = 'failed'))::integer AS failed,
      avg(ev.score) FILTER (WHERE ev.status = 'done') AS "meanScore",
      coalesce(sum(ev.cost_usd), 0)::double precision AS "costUsd"
    FROM evaluations ev LEFT JOIN evaluators e ON e.id = ev.evaluator_id
    WHERE ev.rollout_id = ${rolloutId} GROUP BY ev.evaluator_id ORDER BY min(ev.id)`;
}
