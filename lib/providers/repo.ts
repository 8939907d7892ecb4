import type { DbOrTx, Prisma } from "../db/types";

export type ProviderRow = Awaited<ReturnType<typeof findProviderRow>> & {};

export function insertProviderRow(db: DbOrTx, data: Prisma.ProviderConnectionUncheckedCreateInput) {
  return db.providerConnection.create({ data });
}

export function updateProviderRow(db: DbOrTx, id: string, data: Prisma.ProviderConnectionUncheckedUpdateInput) {
  return db.providerConnection.update({ where: { id }, data });
}

export function deleteProviderRow(db: DbOrTx, id: string) {
  return db.providerConnection.delete({ where: { id } });
}

export function findProviderRow(db: DbOrTx, id: string) {
  return db.providerConnection.findUnique({ where: { id } });
}

/** The row, locked until the caller's transaction ends (a change and a delete serialize). */
export async function lockProviderRow(tx: DbOrTx, id: string) {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM provider_connections WHERE id = ${id} FOR UPDATE`;
  return locked.length ? findProviderRow(tx, id) : null;
}

export function findProviderRowByName(db: DbOrTx, name: string) {
  return db.providerConnection.findUnique({ where: { name } });
}

export function listProviderRows(db: DbOrTx) {
  return db.providerConnection.findMany({ orderBy: { name: "asc" } });
}
