import type { DbOrTx, Prisma } from "../db/types";
import { ACTIVE_STATUSES } from "./transitions";

// The custom score definitions of a config (score_definitions), and the one read of rollouts a
// definition change needs: which active rollouts judge a score.

export type ScoreRow = Prisma.ScoreDefinitionGetPayload<object>;

export function listScoreRows(db: DbOrTx, configId: string): Promise<ScoreRow[]> {
  return db.scoreDefinition.findMany({ where: { configId }, orderBy: [{ createdAt: "asc" }, { key: "asc" }] });
}

export function findScoreRow(db: DbOrTx, configId: string, key: string): Promise<ScoreRow | null> {
  return db.scoreDefinition.findUnique({ where: { configId_key: { configId, key } } });
}

export function countScoreRows(db: DbOrTx, configId: string): Promise<number> {
  return db.scoreDefinition.count({ where: { configId } });
}

export function insertScoreRow(db: DbOrTx, data: Prisma.ScoreDefinitionUncheckedCreateInput): Promise<ScoreRow> {
  return db.scoreDefinition.create({ data });
}

export function updateScoreRow(db: DbOrTx, id: string, data: Prisma.ScoreDefinitionUncheckedUpdateInput): Promise<ScoreRow> {
  return db.scoreDefinition.update({ where: { id }, data });
}

export function deleteScoreRow(db: DbOrTx, id: string): Promise<ScoreRow> {
  return db.scoreDefinition.delete({ where: { id } });
}

/** The config's running and paused rollouts with their thresholds (the guardrail scores each judges). */
export function listActiveRolloutThresholds(db: DbOrTx, configId: string) {
  return db.rollout.findMany({
    where: { configId, status: { in: [...ACTIVE_STATUSES] } },
    select: {
      id: true,
      status: true,
      thresholds: true,
      canaryVersion: { select: { label: true } },
      baseVersion: { select: { label: true } },
    },
    orderBy: { createdAt: "asc" },
  });
}
