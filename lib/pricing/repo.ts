import type { DbOrTx } from "../db/types";

export function listPriceRows(db: DbOrTx) {
  return db.modelPrice.findMany({ orderBy: { model: "asc" } });
}

export function findPriceRow(db: DbOrTx, model: string) {
  return db.modelPrice.findUnique({ where: { model } });
}

export function upsertPriceRow(db: DbOrTx, data: { model: string; inputUsdPerMillion: number; outputUsdPerMillion: number }) {
  const { model, ...price } = data;
  return db.modelPrice.upsert({ where: { model }, create: data, update: price });
}

export function deletePriceRow(db: DbOrTx, model: string) {
  return db.modelPrice.delete({ where: { model } });
}
