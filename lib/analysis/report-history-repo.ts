import type { DbOrTx, Prisma } from "../db/types";

export function insertReportSnapshot(db: DbOrTx, data: { rolloutId: string; event: string; stage: number; actor: string; report: Prisma.InputJsonValue }) {
  return db.rolloutReport.create({ data });
}

export function listReportSnapshots(db: DbOrTx, rolloutId: string) {
  return db.rolloutReport.findMany({ where: { rolloutId }, orderBy: { createdAt: "asc" } });
}
