import { appendAuditEvent } from "../audit/repo";
import type { Actor } from "../auth/actor";
import { notifyChange } from "../change-notify";
import type { Db, Prisma, Tx } from "../db/types";
import { ConflictError, NotFoundError } from "../errors";
import { newId } from "../ids";
import { MAX_SCORE_DEFINITIONS } from "../limits";
import { parseInput } from "../validation";
import { requireConfig } from "./lookup";
import { lockConfig } from "./repo";
import { checkDefinition, CreateScoreInput, defaultScoreThreshold, ScoreDefinitionDto, ScoreThresholdSchema, UpdateScoreInput } from "./score-schemas";
import { countScoreRows, deleteScoreRow, findScoreRow, insertScoreRow, listActiveRolloutThresholds, listScoreRows, updateScoreRow, type ScoreRow } from "./score-repo";

// The custom scores of a config: one service function per operation, each in one transaction that
// locks the config row first, so a change serializes with a rollout starting (which copies the
// guardrail scores' thresholds) and with the other changes to the config's scores. Each change is
// audited and announced (the client API validates `scores` against the definitions it holds).

function toScoreDto(row: ScoreRow): ScoreDefinitionDto {
  return ScoreDefinitionDto.parse({ ...row, threshold: ScoreThresholdSchema.parse(row.threshold) });
}

export async function listScores(db: Db, configKey: string): Promise<ScoreDefinitionDto[]> {
  const config = await requireConfig(db, configKey);
  return (await listScoreRows(db, config.id)).map(toScoreDto);
}

/** The config's score definitions as the caller's transaction sees them (a rollout start copies them). */
export async function listScoresInTx(tx: Tx, configId: string): Promise<ScoreDefinitionDto[]> {
  return (await listScoreRows(tx, configId)).map(toScoreDto);
}

export async function createScore(db: Db, actor: Actor, configKey: string, raw: unknown): Promise<ScoreDefinitionDto> {
  const input = parseInput(CreateScoreInput, raw);
  return db.$transaction(async (tx) => {
    const config = await lockedConfig(tx, configKey);
    if (await findScoreRow(tx, config.id, input.key)) {
      throw new ConflictError(`Config \`${configKey}\` already has a score \`${input.key}\`; change that one, or pick another key.`);
    }
    const count = await countScoreRows(tx, config.id);
    if (count >= MAX_SCORE_DEFINITIONS) {
      throw new ConflictError(`Config \`${configKey}\` already has ${count} scores, the most a config may have; delete one first.`);
    }
    const min = input.min ?? null;
    const max = input.max ?? null;
    const row = await insertScoreRow(tx, {
      id: newId("scd"),
      configId: config.id,
      key: input.key,
      label: input.label,
      description: input.description,
      kind: input.kind,
      min,
      max,
      direction: input.direction,
      guardrail: input.guardrail,
      threshold: (input.threshold ?? defaultScoreThreshold(input.kind, min, max)) as Prisma.InputJsonValue,
    });
    const after = toScoreDto(row);
    await appendAuditEvent(tx, { actor, action: "score.create", entityType: "score", entityId: row.id, configId: config.id, after });
    await notifyChange(tx, { kind: "score", configId: config.id, scoreKey: row.key });
    return after;
  });
}

/**
 * Changes any of label, description, direction, guardrail, threshold and range; the key and the
 * kind never change (outcomes already stored are keyed by them). The merged definition is checked
 * as a whole: narrowing the range below the threshold is a 400 naming `threshold.value`. A change
 * applies to rollouts started after it; a running rollout keeps the thresholds it copied.
 */
export async function updateScore(db: Db, actor: Actor, configKey: string, scoreKey: string, raw: unknown): Promise<ScoreDefinitionDto> {
  const input = parseInput(UpdateScoreInput, raw);
  return db.$transaction(async (tx) => {
    const config = await lockedConfig(tx, configKey);
    const row = await requireScore(tx, config.id, configKey, scoreKey);
    const before = toScoreDto(row);
    const merged = { ...before, ...input };
    parseInput(ScoreDefinitionDto.superRefine(checkDefinition), merged);
    const changes = Object.fromEntries(
      Object.entries(input).filter(([field, value]) => JSON.stringify(value ?? null) !== JSON.stringify(before[field as keyof ScoreDefinitionDto] ?? null)),
    ) as UpdateScoreInput;
    if (Object.keys(changes).length === 0) return before;
    const after = toScoreDto(
      await updateScoreRow(tx, row.id, { ...changes, ...(changes.threshold ? { threshold: changes.threshold as Prisma.InputJsonValue } : {}) }),
    );
    await appendAuditEvent(tx, { actor, action: "score.update", entityType: "score", entityId: row.id, configId: config.id, before, after });
    await notifyChange(tx, { kind: "score", configId: config.id, scoreKey });
    return after;
  });
}

/** Deletes a score no active rollout judges (409 naming the rollout otherwise). Its stored values stay. */
export async function deleteScore(db: Db, actor: Actor, configKey: string, scoreKey: string): Promise<ScoreDefinitionDto> {
  return db.$transaction(async (tx) => {
    const config = await lockedConfig(tx, configKey);
    const row = await requireScore(tx, config.id, configKey, scoreKey);
    const before = toScoreDto(row);
    const judging = (await listActiveRolloutThresholds(tx, config.id)).filter((r) => judgedScores(r.thresholds).includes(scoreKey));
    if (judging.length > 0) {
      const r = judging[0];
      throw new ConflictError(
        `Score \`${scoreKey}\` is a guardrail of rollout ${r.id} (${r.baseVersion.label} → ${r.canaryVersion.label}, ${r.status}), which judges it until it ends; ` +
          "promote, roll back or abort that rollout first, or make the score tracked for later rollouts.",
        before,
      );
    }
    await deleteScoreRow(tx, row.id);
    await appendAuditEvent(tx, { actor, action: "score.delete", entityType: "score", entityId: row.id, configId: config.id, before });
    await notifyChange(tx, { kind: "score", configId: config.id, scoreKey });
    return before;
  });
}

async function lockedConfig(tx: Tx, configKey: string) {
  const config = await requireConfig(tx, configKey);
  await lockConfig(tx, config.id);
  return config;
}

async function requireScore(tx: Tx, configId: string, configKey: string, scoreKey: string): Promise<ScoreRow> {
  const row = await findScoreRow(tx, configId, scoreKey);
  if (!row) throw new NotFoundError(`Config \`${configKey}\` has no score \`${scoreKey}\`.`);
  return row;
}

/** The score keys a rollout's stored thresholds judge (rollouts from before scores have none). */
function judgedScores(thresholds: Prisma.JsonValue): string[] {
  const scores = (thresholds as { scores?: unknown } | null)?.scores;
  return scores && typeof scores === "object" ? Object.keys(scores) : [];
}
