import type { DbOrTx, Prisma, Tx } from "../db/types";
import { redactSecrets } from "./redact";

/** Who did it, as the log records it; every Actor of lib/auth/actor.ts is one. */
export interface AuditActor {
  type: "user" | "api_key" | "controller" | "system";
  id: string | null;
  label: string;
}

export interface AuditInput {
  actor: AuditActor;
  action: string; // e.g. config.create, api_key.revoke
  entityType: string;
  entityId: string;
  configId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/** Written inside the transaction of the change it records; secrets in before/after are masked (./redact.ts). */
export async function appendAuditEvent(tx: Tx, input: AuditInput): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorType: input.actor.type,
      actorId: input.actor.id,
      actorLabel: input.actor.label,
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId,
      configId: input.configId ?? null,
      before: toJson(input.before),
      after: toJson(input.after),
      reason: input.reason ?? null,
    },
  });
}

function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  // Dates become ISO strings; undefined means "no snapshot".
  return value === undefined ? undefined : (redactSecrets(JSON.parse(JSON.stringify(value))) as Prisma.InputJsonValue);
}

/**
 * Which events a reader may see: all of them, or only those about these entity types. Events about
 * users, keys and channels are for those who may see those lists (lib/auth/scopes.ts decides).
 */
export type AuditVisibility = "all" | { entityTypes: readonly string[] };

function visibleWhere(visibility: AuditVisibility): Prisma.AuditEventWhereInput {
  return visibility === "all" ? {} : { entityType: { in: [...visibility.entityTypes] } };
}

/** The id of the config with this key, for filtering the log by config; null if there is none. */
export async function findConfigIdByKey(db: DbOrTx, key: string): Promise<string | null> {
  return (await db.config.findUnique({ where: { key }, select: { id: true } }))?.id ?? null;
}

export function listAuditRows(
  db: DbOrTx,
  visibility: AuditVisibility,
  filter: { configId?: string; rolloutId?: string; actor?: string; action?: ActionFilter; before?: bigint; take: number },
) {
  return db.auditEvent.findMany({
    where: {
      ...visibleWhere(visibility),
      ...(filter.configId ? { configId: filter.configId } : {}),
      ...(filter.rolloutId ? { entityType: "rollout", entityId: filter.rolloutId } : {}),
      ...(filter.actor !== undefined ? { actorLabel: filter.actor } : {}),
      ...(filter.action ? { action: "prefix" in filter.action ? { startsWith: escapeLike(filter.action.prefix) } : filter.action.exact } : {}),
      ...(filter.before !== undefined ? { id: { lt: filter.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: filter.take,
  });
}

export type ActionFilter = { exact: string } | { prefix: string };

// Prisma sends startsWith as LIKE without escaping; `_` (in api_key.*) would match any character.
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/** The distinct actor labels and actions of the events the reader may see, each sorted and capped at `limit`. */
export async function auditFacetRows(db: DbOrTx, visibility: AuditVisibility, limit: number): Promise<{ actors: string[]; actions: string[] }> {
  const where = visibleWhere(visibility);
  const [actors, actions] = await Promise.all([
    db.auditEvent.groupBy({ by: ["actorLabel"], where, orderBy: { actorLabel: "asc" }, take: limit }),
    db.auditEvent.groupBy({ by: ["action"], where, orderBy: { action: "asc" }, take: limit }),
  ]);
  return { actors: actors.map((r) => r.actorLabel), actions: actions.map((r) => r.action) };
}

/** Whether an event of this action on this entity, its reason starting so, was ever written. */
export async function hasAuditEvent(db: DbOrTx, filter: { entityId: string; action: string; reasonPrefix: string }): Promise<boolean> {
  const row = await db.auditEvent.findFirst({ where: { entityId: filter.entityId, action: filter.action, reason: { startsWith: filter.reasonPrefix } }, select: { id: true } });
  return row !== null;
}
