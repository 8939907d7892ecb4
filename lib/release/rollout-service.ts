import { randomBytes } from "node:crypto";
import { appendAuditEvent } from "../audit/repo";
import type { Actor } from "../auth/actor";
import type { Db, Prisma, Tx } from "../db/types";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { newId } from "../ids";
import { notifyChange } from "../change-notify";
import { parseInput } from "../validation";
import { requireConfig } from "./lookup";
import { findConfigRowByKey, lockConfig, updateConfigRouting } from "./repo";
import { ConfigDto, configDtoOf } from "./config-schemas";

type LockedConfig = Awaited<ReturnType<typeof lockConfig>>;
import { findLastPromotion, findRollout, insertRollout, listRolloutRows, updateRollout, type RolloutRow } from "./rollout-repo";
import { RolloutActionInput, RolloutDto, StartRolloutInput, type ConfigRollbackInput } from "./rollout-schemas";
import { rolloutAuditAction, servedPercent, transition, type RolloutAction, type RolloutStatus, type Stage } from "./transitions";
import { listScoresInTx } from "./score-service";
import { rolloutScoreThresholds } from "./score-thresholds";
import { findVersion } from "./version-repo";

// Every routing change runs in one transaction that first locks the config row (SELECT ... FOR
// UPDATE): concurrent actions on a config serialize, and the loser re-reads the new state and
// gets 409 with it. Audit event and NOTIFY are written in the same transaction.
// Rollout actions and the config rollback are entered through lib/analysis/rollout-actions.ts
// only, which also keeps the report and raises the alert; the parts here run inside its transaction.

/** The transaction options of every routing change. */
export const ROUTING_TX = { timeout: 20_000 };

export function toRolloutDto(row: RolloutRow): RolloutDto {
  const stages = row.stages as unknown as Stage[];
  return RolloutDto.parse({
    ...row,
    stages,
    include: row.includeUsers,
    exclude: row.excludeUsers,
    percent: servedPercent({ status: row.status, currentStage: row.currentStage, stages }),
  });
}

export async function startRollout(db: Db, actor: Actor, key: string, raw: unknown): Promise<RolloutDto> {
  const found = await requireConfig(db, key);
  const input = parseInput(StartRolloutInput, raw);
  return db.$transaction(async (tx) => {
    const config = await lockConfig(tx, found.id);
    if (input.revision !== undefined && input.revision !== config.revision) {
      throw new ConflictError(`Config \`${key}\` changed since you loaded it (revision ${input.revision}, now ${config.revision}); reload and retry.`, await currentConfig(tx, key));
    }
    if (config.activeRolloutId) {
      const active = await findRollout(tx, config.activeRolloutId);
      throw new ConflictError(
        `Config \`${key}\` already has an active rollout (${config.activeRolloutId}, ${active?.status}); finish it first.`,
        active ? toRolloutDto(active) : undefined,
      );
    }
    if (!config.stableVersionId) throw new ConflictError(`Config \`${key}\` has no stable version yet; create a version first.`);
    const canary = await findVersion(tx, config.id, input.canaryVersionId);
    if (!canary) {
      throw new ValidationError(`The \`canaryVersionId\` field must name a version of \`${key}\`; ${input.canaryVersionId} is not one.`, [
        { path: "canaryVersionId", message: "must name a version of this config" },
      ]);
    }
    if (canary.id === config.stableVersionId) {
      throw new ValidationError(`The \`canaryVersionId\` field names the stable version (${canary.label}); a canary must differ from stable.`, [
        { path: "canaryVersionId", message: "must differ from the stable version" },
      ]);
    }
    // The guardrail scores as they are now: later changes to a definition leave this rollout alone.
    const scores = rolloutScoreThresholds(key, await listScoresInTx(tx, config.id), input.thresholds.scores);
    const row = await insertRollout(tx, {
      id: newId("ro"),
      configId: config.id,
      canaryVersionId: canary.id,
      baseVersionId: config.stableVersionId,
      status: "running",
      stages: input.stages as unknown as Prisma.InputJsonValue,
      currentStage: 0,
      stageStartedAt: new Date(),
      salt: randomBytes(8).toString("hex"),
      sticky: input.sticky,
      includeUsers: input.include,
      excludeUsers: input.exclude,
      thresholds: { ...input.thresholds, scores },
      autoPromote: input.autoPromote,
      startedBy: actor.label,
    });
    const updated = await updateConfigRouting(tx, config.id, {
      activeRolloutId: row.id,
      canaryVersionId: canary.id,
      canaryPercent: input.stages[0].percent,
    });
    const dto = toRolloutDto(row);
    await appendAuditEvent(tx, { actor, action: "rollout.start", entityType: "rollout", entityId: row.id, configId: config.id, after: dto });
    await notifyChange(tx, { kind: "config", configId: config.id, revision: updated.revision });
    return dto;
  }, ROUTING_TX);
}

export async function getRollout(db: Db, id: string): Promise<RolloutDto> {
  const row = await findRollout(db, id);
  if (!row) throw new NotFoundError(`No rollout with id ${id}.`);
  return toRolloutDto(row);
}

export async function listRollouts(db: Db, key: string): Promise<RolloutDto[]> {
  const config = await requireConfig(db, key);
  return (await listRolloutRows(db, config.id)).map(toRolloutDto);
}

const NEEDS_REASON: readonly RolloutAction[] = ["rollback", "revert"];

/** The options of a rollout action (no body means none); a rollback and a revert need a reason. */
export function parseRolloutAction(action: RolloutAction, raw: unknown): RolloutActionInput {
  // A JSON `null` body is a body, and not an object.
  const input = parseInput(RolloutActionInput, raw === undefined ? {} : raw);
  if (NEEDS_REASON.includes(action) && !input.reason) {
    throw new ValidationError(`The \`reason\` field is required to ${action === "revert" ? "revert a promotion" : "roll back"}.`, [
      { path: "reason", message: "is required" },
    ]);
  }
  return input;
}

/**
 * pause, resume, advance, promote, rollback, abort, or revert (of a promotion), in the caller's
 * transaction: locks the config row, re-reads the rollout, checks the revision the caller sent.
 */
export async function applyRolloutActionInTx(
  tx: Tx,
  actor: Actor,
  rollout: { id: string; configId: string },
  action: RolloutAction,
  input: RolloutActionInput,
): Promise<RolloutDto> {
  const config = await lockConfig(tx, rollout.configId);
  const current = (await findRollout(tx, rollout.id))!;
  if (input.revision !== undefined && input.revision !== current.revision) {
    throw new ConflictError(
      `The rollout changed since you loaded it (revision ${input.revision}, now ${current.revision}, ${current.status}); nothing was done.`,
      toRolloutDto(current),
    );
  }
  return applyLocked(tx, actor, config, current, action, input.reason ?? null);
}

/**
 * The last stage is done and nothing fails, but the rollout does not promote itself: mark it as
 * waiting for a person (the controller calls this; the console shows it).
 */
export async function markAwaitingApproval(db: Db, actor: Actor, rolloutId: string, revision: number): Promise<RolloutDto> {
  const existing = await findRollout(db, rolloutId);
  if (!existing) throw new NotFoundError(`No rollout with id ${rolloutId}.`);
  return db.$transaction(async (tx) => {
    await lockConfig(tx, existing.configId);
    const current = (await findRollout(tx, rolloutId))!;
    if (current.revision !== revision || current.status !== "running" || current.awaitingApproval) {
      throw new ConflictError(`The rollout changed (revision ${current.revision}, ${current.status}); nothing was done.`, toRolloutDto(current));
    }
    const after = toRolloutDto(await updateRollout(tx, rolloutId, { awaitingApproval: true }));
    await appendAuditEvent(tx, {
      actor,
      action: "rollout.awaiting_approval",
      entityType: "rollout",
      entityId: rolloutId,
      configId: current.configId,
      before: toRolloutDto(current),
      after,
      reason: "the last stage is done and no guardrail fails",
    });
    return after;
  }, ROUTING_TX);
}

/**
 * The article's one-call manual rollback, in the caller's transaction: rolls back the active
 * rollout, or, with none active, reverts the promotion that made the current stable version stable.
 */
export async function rollbackConfigInTx(
  tx: Tx,
  actor: Actor,
  found: { id: string; key: string },
  input: ConfigRollbackInput,
): Promise<RolloutDto> {
  const { key } = found;
  const config = await lockConfig(tx, found.id);
  if (input.revision !== undefined && input.revision !== config.revision) {
    throw new ConflictError(`Config \`${key}\` changed since you loaded it (revision ${input.revision}, now ${config.revision}); nothing was done.`, await currentConfig(tx, key));
  }
  if (config.activeRolloutId) {
    return applyLocked(tx, actor, config, (await findRollout(tx, config.activeRolloutId))!, "rollback", input.reason);
  }
  const promotion = config.stableVersionId ? await findLastPromotion(tx, config.id, config.stableVersionId) : null;
  if (!promotion) throw new ConflictError(`Config \`${key}\` has no active rollout and no promotion to revert.`);
  return applyLocked(tx, actor, config, promotion, "revert", input.reason);
}

/**
 * What a caller with a stale revision lost to, for the 409's `current`: the config's active
 * rollout when it has one (what a rollback or a second start would act on), else the config.
 */
async function currentConfig(tx: Tx, key: string): Promise<RolloutDto | ConfigDto | undefined> {
  const row = await findConfigRowByKey(tx, key);
  if (!row) return undefined;
  const active = row.activeRolloutId ? await findRollout(tx, row.activeRolloutId) : null;
  return active ? toRolloutDto(active) : ConfigDto.parse(configDtoOf(row));
}

/** Applies a transition to a rollout whose config row this transaction has locked. */
async function applyLocked(
  tx: Tx,
  actor: Actor,
  config: LockedConfig,
  row: RolloutRow,
  action: RolloutAction,
  reason: string | null,
): Promise<RolloutDto> {
  const before = toRolloutDto(row);
  const result = transition({ status: row.status, currentStage: row.currentStage, stages: before.stages }, action);
  if (!result.ok) throw new ConflictError(result.reason, before);
  if (action === "revert" && (config.stableVersionId !== row.canaryVersionId || config.activeRolloutId)) {
    throw new ConflictError("This promotion can no longer be reverted: the config has moved on (another stable version or an active rollout).", before);
  }
  const now = new Date();
  const next: RolloutStatus = result.next.status;
  const rolloutData: Prisma.RolloutUncheckedUpdateInput = { status: next, currentStage: result.next.currentStage };
  if (action === "advance") rolloutData.stageStartedAt = now;
  if (action === "pause") rolloutData.pausedAt = now;
  if (action === "resume" && row.pausedAt) {
    // Time spent paused does not count towards the stage's minimum duration.
    rolloutData.stageStartedAt = new Date(row.stageStartedAt.getTime() + (now.getTime() - row.pausedAt.getTime()));
    rolloutData.pausedAt = null;
  }
  if (result.ended) {
    rolloutData.endedAt = now;
    rolloutData.endReason = reason;
    rolloutData.awaitingApproval = false;
  }
  const updatedRow = await updateRollout(tx, row.id, rolloutData);

  let routing: Parameters<typeof updateConfigRouting>[2];
  if (action === "promote") routing = { stableVersionId: row.canaryVersionId, canaryVersionId: null, canaryPercent: 0, activeRolloutId: null };
  else if (action === "revert") routing = { stableVersionId: row.baseVersionId };
  else if (result.ended) routing = { canaryVersionId: null, canaryPercent: 0, activeRolloutId: null };
  else routing = { canaryPercent: result.percent };
  const updatedConfig = await updateConfigRouting(tx, row.configId, routing);

  const after = toRolloutDto(updatedRow);
  await appendAuditEvent(tx, {
    actor,
    action: rolloutAuditAction(action),
    entityType: "rollout",
    entityId: row.id,
    configId: row.configId,
    before,
    after,
    reason,
  });
  await notifyChange(tx, { kind: "config", configId: row.configId, revision: updatedConfig.revision });
  return after;
}
