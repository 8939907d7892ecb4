import type { DbOrTx, Prisma } from "../db/types";

export function insertVersion(db: DbOrTx, data: Prisma.VersionUncheckedCreateInput) {
  return db.version.create({ data });
}

export function findVersion(db: DbOrTx, configId: string, id: string) {
  return db.version.findFirst({ where: { id, configId } });
}

export function findVersionByLabel(db: DbOrTx, configId: string, label: string) {
  return db.version.findUnique({ where: { configId_label: { configId, label } } });
}

export function listVersionRows(db: DbOrTx, configId: string) {
  return db.version.findMany({ where: { configId }, orderBy: { createdAt: "desc" } });
}
