import type { DbOrTx } from "../db/types";

const configSummary = {
  stableVersion: { select: { id: true, label: true } },
  activeRollout: {
    select: {
      id: true,
      status: true,
      currentStage: true,
      stageStartedAt: true,
      canaryVersion: { select: { id: true, label: true } },
    },
  },
} as const;

export function listConfigRows(db: DbOrTx) {
  return db.config.findMany({ include: configSummary, orderBy: { key: "asc" } });
}

export function findConfigRowByKey(db: DbOrTx, key: string) {
  return db.config.findUnique({ where: { key }, include: configSummary });
}

export function insertConfig(db: DbOrTx, data: { id: string; key: string; name: string; description: string }) {
  return db.config.create({ data, include: configSummary });
}
