import { appendAuditEvent } from "../audit/repo";
import type { Actor } from "../auth/actor";
import type { Db, Prisma, Tx } from "../db/types";
import { ConflictError, NotFoundError } from "../errors";
import { newId } from "../ids";
import { providerExists } from "../providers/connection-service";
import { requireConfig } from "../release/lookup";
import { lockConfig } from "../release/repo";
import { listScoresInTx } from "../release/score-service";
import { parseInput, validationError } from "../validation";
import type { ErrorDetail } from "../errors";
import {
  countEvaluatorRows,
  deleteEvaluatorRow,
  findEvaluatorByName,
  findEvaluatorRow,
  insertEvaluatorRow,
  listEvaluatorRows,
  newestOutcomeId,
  updateEvaluatorRow,
  type EvaluatorRow,
} from "./repo";
import { AnswerFormatSchema, CreateEvaluatorInput, EvaluatorDto, MAX_EVALUATORS, UpdateEvaluatorInput } from "./schemas";

// The evaluators of a config: one service function per operation, each in one transaction that
// locks the config row (as score definitions do), audited. The workers read evaluators from the
// table at every pass, so a change needs no notification.

function toDto(row: EvaluatorRow): EvaluatorDto {
  return EvaluatorDto.parse({ ...row, answer: AnswerFormatSchema.parse(row.answer) });
}

export async function listEvaluators(db: Db, configKey: string): Promise<{ evaluators: EvaluatorDto[] }> {
  const config = await requireConfig(db, configKey);
  return { evaluators: (await listEvaluatorRows(db, config.id)).map(toDto) };
}

type Checked = Pick<EvaluatorDto, "scoreKey" | "providerId" | "answer" | "minPerMinute" | "maxPerMinute">;

/** What is wrong with the evaluator as a whole: its score, its connection, its answer format for that score. */
async function problemsOf(tx: Tx, configId: string, configKey: string, e: Checked): Promise<ErrorDetail[]> {
  const problems: ErrorDetail[] = [];
  const score = (await listScoresInTx(tx, configId)).find((s) => s.key === e.scoreKey);
  if (!score) problems.push({ path: "scoreKey", message: `names no score of config \`${configKey}\` (\`${e.scoreKey}\`); define the score first` });
  if (!(await providerExists(tx, e.providerId))) problems.push({ path: "providerId", message: `names no provider connection (\`${e.providerId}\`)` });
  if (score?.kind === "boolean" && e.answer.format === "number") {
    problems.push({ path: "answer.format", message: `must be pass_fail or json_field for a boolean score (\`${score.key}\`)` });
  }
  if (e.minPerMinute > e.maxPerMinute) problems.push({ path: "minPerMinute", message: `must be at most maxPerMinute (${e.maxPerMinute})` });
  return problems;
}

async function requireFreeName(tx: Tx, configId: string, name: string, self: string | null) {
  const holder = await findEvaluatorByName(tx, configId, name);
  if (holder && holder.id !== self) {
    throw new ConflictError(`This config already has an evaluator named "${name}"; pick another name.`, undefined, [{ path: "name", message: "is taken" }]);
  }
}

export async function createEvaluator(db: Db, actor: Actor, configKey: string, raw: unknown): Promise<EvaluatorDto> {
  const input = parseInput(CreateEvaluatorInput, raw);
  return db.$transaction(async (tx) => {
    const config = await lockedConfig(tx, configKey);
    const problems = await problemsOf(tx, config.id, configKey, input);
    if (problems.length) throw validationError(problems);
    await requireFreeName(tx, config.id, input.name, null);
    const count = await countEvaluatorRows(tx, config.id);
    if (count >= MAX_EVALUATORS) {
      throw new ConflictError(`Config \`${configKey}\` already has ${count} evaluators, the most a config may have; delete one first.`);
    }
    const row = await insertEvaluatorRow(tx, {
      id: newId("evl"),
      configId: config.id,
      ...input,
      answer: input.answer as Prisma.InputJsonValue,
      sampledThrough: await newestOutcomeId(tx),
    });
    const after = toDto(row);
    await appendAuditEvent(tx, { actor, action: "evaluator.create", entityType: "evaluator", entityId: row.id, configId: config.id, after });
    return after;
  });
}

/** Changes any field; the result is checked as a whole (its score, connection and answer format). */
export async function updateEvaluator(db: Db, actor: Actor, configKey: string, id: string, raw: unknown): Promise<EvaluatorDto> {
  const input = parseInput(UpdateEvaluatorInput, raw);
  return db.$transaction(async (tx) => {
    const config = await lockedConfig(tx, configKey);
    const row = await requireEvaluator(tx, config.id, configKey, id);
    const before = toDto(row);
    const merged = { ...before, ...input };
    const problems = await problemsOf(tx, config.id, configKey, merged);
    if (problems.length) throw validationError(problems);
    if (input.name !== undefined) await requireFreeName(tx, config.id, input.name, id);
    const changes = Object.fromEntries(
      Object.entries(input).filter(([field, value]) => JSON.stringify(value) !== JSON.stringify(before[field as keyof EvaluatorDto])),
    ) as UpdateEvaluatorInput;
    if (Object.keys(changes).length === 0) return before;
    // Enabled again: it judges what arrives from now on, not what came while it was paused.
    const resumed = changes.enabled === true ? { sampledThrough: await newestOutcomeId(tx) } : {};
    const answer = changes.answer ? { answer: changes.answer as Prisma.InputJsonValue } : {};
    const after = toDto(await updateEvaluatorRow(tx, id, { ...changes, ...resumed, ...answer }));
    await appendAuditEvent(tx, { actor, action: "evaluator.update", entityType: "evaluator", entityId: id, configId: config.id, before, after });
    return after;
  });
}

/** Deletes the evaluator and its pending evaluations; what it evaluated stays in the log and its scores stay stored. */
export async function deleteEvaluator(db: Db, actor: Actor, configKey: string, id: string): Promise<EvaluatorDto> {
  return db.$transaction(async (tx) => {
    const config = await lockedConfig(tx, configKey);
    const before = toDto(await requireEvaluator(tx, config.id, configKey, id));
    await deleteEvaluatorRow(tx, id);
    await appendAuditEvent(tx, { actor, action: "evaluator.delete", entityType: "evaluator", entityId: id, configId: config.id, before });
    return before;
  });
}

async function lockedConfig(tx: Tx, configKey: string) {
  const config = await requireConfig(tx, configKey);
  await lockConfig(tx, config.id);
  return config;
}

async function requireEvaluator(tx: Tx, configId: string, configKey: string, id: string): Promise<EvaluatorRow> {
  const row = await findEvaluatorRow(tx, configId, id);
  if (!row) throw new NotFoundError(`Config \`${configKey}\` has no evaluator ${id}.`);
  return row;
}
