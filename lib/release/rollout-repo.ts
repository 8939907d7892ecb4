import type { DbOrTx, Prisma } from "../db/types";

export const rolloutInclude = {
  canaryVersion: { select: { id: true, label: true } },
  baseVersion: { select: { id: true, label: true } },
} as const;

export type RolloutRow = Prisma.RolloutGetPayload<{ include: typeof rolloutInclude }>;

export function findRollout(db: DbOrTx, id: string): Promise<RolloutRow | null> {
  return db.rollout.findUnique({ where: { id }, include: rolloutInclude });
}

export function listRolloutRows(db: DbOrTx, configId: string): Promise<RolloutRow[]> {
  return db.rollout.findMany({ where: { configId }, include: rolloutInclude, orderBy: { createdAt: "desc" } });
}

/** The latest promotion that made the config's current stable version stable. */
export function findLastPromotion(db: DbOrTx, configId: string, stableVersionId: string): Promise<RolloutRow | null> {
  return db.rollout.findFirst({
    where: { configId, status: "promoted", canaryVersionId: stableVersionId },
    include: rolloutInclude,
    orderBy: { endedAt: "desc" },
  });
}

export function insertRollout(db: DbOrTx, data: Prisma.RolloutUncheckedCreateInput): Promise<RolloutRow> {
  return db.rollout.create({ data, include: rolloutInclude });
}

export function updateRollout(db: DbOrTx, id: string, data: Prisma.RolloutUncheckedUpdateInput): Promise<RolloutRow> {
  return db.rollout.update({ where: { id }, data: { ...data, revision: { increment: 1 } }, include: rolloutInclude });
}

export async function listRunningRolloutIds(db: DbOrTx): Promise<string[]> {
  const rows = await db.rollout.findMany({ where: { status: "running" }, select: { id: true }, orderBy: { createdAt: "asc" } });
  return rows.map((row) => row.id);
}
