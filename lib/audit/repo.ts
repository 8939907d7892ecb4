import type { Actor } from "../auth/actor";
import type { Prisma, Tx } from "../db/types";

export interface AuditInput {
  actor: Actor;
  action: string; // e.g. config.create, api_key.revoke
  entityType: string;
  entityId: string;
  configId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/** Written inside the transaction of the change it records. */
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
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue);
}
