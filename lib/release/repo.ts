import type { DbOrTx, Prisma, Tx } from "../db/types";

const configSummary = {
  stableVersion: { select: { id: true, label: true } },
  activeRollout: {
    select: {
      id: true,
      status: true,
      currentStage: true,
      stageStartedAt: true,
      pausedAt: true,
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

/** Settings that leave routing as it is (samples, the gateway's): no revision bump, so no rollout action loses a race to them. */
export function updateConfigSettings(tx: Tx, id: string, data: Pick<Prisma.ConfigUncheckedUpdateInput, "samplePolicy" | "sampleFraction" | "gatewayClientOverrides">) {
  return tx.config.update({ where: { id }, data, include: configSummary });
}

/** Locks the config row for the rest of the transaction: routing changes serialize on it. */
export async function lockConfig(tx: Tx, configId: string) {
  await tx.$queryRaw`SELECT id FROM configs WHERE id = ${configId} FOR UPDATE`;
  return tx.config.findUniqueOrThrow({ where: { id: configId } });
}

export function updateConfigRouting(
  tx: Tx,
  id: string,
  data: Pick<Prisma.ConfigUncheckedUpdateInput, "stableVersionId" | "canaryVersionId" | "canaryPercent" | "activeRolloutId">,
) {
  return tx.config.update({ where: { id }, data: { ...data, revision: { increment: 1 } } });
}

export function findConfigKeyById(db: DbOrTx, id: string) {
  return db.config.findUnique({ where: { id }, select: { key: true } });
}

export function findSamplePolicy(db: DbOrTx, id: string) {
  return db.config.findUniqueOrThrow({ where: { id }, select: { samplePolicy: true, sampleFraction: true } });
}
