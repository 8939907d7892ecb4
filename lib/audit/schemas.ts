import { z } from "zod";

export const AuditQuery = z
  .object({
    config: z.string().max(64).optional(),
    rollout: z.string().max(64).optional(),
    limit: z.coerce.number("must be a number").int("must be a whole number").min(1, "must be from 1 to 200").max(200, "must be from 1 to 200").default(50),
    cursor: z.string().regex(/^\d{1,19}$/, "must be a cursor returned by a previous page").optional(),
  })
  .strict();

export const AuditEventDto = z.object({
  id: z.string(),
  at: z.date(),
  actorType: z.enum(["user", "api_key", "controller", "system"]),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  configId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  reason: z.string().nullable(),
});
export type AuditEventDto = z.infer<typeof AuditEventDto>;

export const AuditPageDto = z.object({ events: z.array(AuditEventDto), nextCursor: z.string().nullable() });
export type AuditPageDto = z.infer<typeof AuditPageDto>;
