import type { DbOrTx, Prisma } from "../db/types";

export function insertChannel(db: DbOrTx, data: Prisma.AlertChannelUncheckedCreateInput) {
  return db.alertChannel.create({ data });
}

export function updateChannel(db: DbOrTx, id: string, data: Prisma.AlertChannelUncheckedUpdateInput) {
  return db.alertChannel.update({ where: { id }, data });
}

export function findChannel(db: DbOrTx, id: string) {
  return db.alertChannel.findUnique({ where: { id } });
}

export function listChannels(db: DbOrTx) {
  return db.alertChannel.findMany({ orderBy: { createdAt: "asc" } });
}

/** Enabled channels that take this event (an empty event list takes every event). */
export function channelsFor(db: DbOrTx, event: string) {
  return db.alertChannel.findMany({ where: { enabled: true, OR: [{ events: { isEmpty: true } }, { events: { has: event } }] } });
}

export function insertDeliveries(db: DbOrTx, rows: Prisma.AlertDeliveryCreateManyInput[]) {
  return db.alertDelivery.createMany({ data: rows });
}

/**
 * Pending deliveries whose time has come, locked for this transaction and skipped by any other
 * instance's dispatcher meanwhile (FOR UPDATE SKIP LOCKED), so each attempt happens once.
 */
export function claimDueDeliveries(tx: DbOrTx, now: Date, limit: number) {
  return tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ${now}
    ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
}

export function findDeliveries(db: DbOrTx, ids: string[]) {
  return db.alertDelivery.findMany({ where: { id: { in: ids } }, include: { channel: true } });
}

export function updateDelivery(db: DbOrTx, id: string, data: Prisma.AlertDeliveryUncheckedUpdateInput) {
  return db.alertDelivery.update({ where: { id }, data });
}

export function listDeliveries(db: DbOrTx, channelId: string, limit: number) {
  return db.alertDelivery.findMany({ where: { channelId }, orderBy: { createdAt: "desc" }, take: limit });
}
