import { z } from "zod";
import { CursorSchema } from "../validation";

// An action (`rollout.rollback`) or every action under a prefix (`rollout.*`).
const ACTION_FILTER = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/;

export const AuditQuery = z
  .object({
    config: z.string().max(64).optional(),
    rollout: z.string().max(64).optional(),
    actor: z
      .string()
      .min(1, "must not be empty")
      .max(300, "must be at most 300 characters")
      .describe("who acted, exactly as `actorLabel` shows it: an e-mail, `controller`, `key:<name>`")
      .optional(),
    action: z
      .string()
      .max(100, "must be at most 100 characters")
      .regex(ACTION_FILTER, "must be an action such as rollout.rollback, or a prefix ending in .* such as rollout.*")
      .optional(),
    limit: z.coerce.number("must be a number").int("must be a whole number").min(1, "must be from 1 to 200").max(200, "must be from 1 to 200").default(50),
    cursor: CursorSchema("must be a cursor returned by a previous page").optional(),
  })
  .strict();

/** Who can act, as the log records it (lib/audit/repo.ts AuditActor). */
export const ACTOR_TYPES = ["user", "api_key", "controller", "system"] as const;

export const AuditEventDto = z.object({
  id: z.string(),
  at: z.date(),
  actorType: z.enum(ACTOR_TYPES),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  entityLabel: z
    .string()
    .nullable()
    .describe(
      "what the event is about, by name: a config's key, a version's label, a rollout's config key and canary version " +
        "(`support-chat canary v2`), an API key's or alert channel's name, a user's name and e-mail, a score's key; " +
        "null when the entity is gone or has no name",
    ),
  configId: z.string().nullable(),
  configKey: z.string().nullable().describe("the key of the config the event belongs to (configId), null when none"),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  reason: z.string().nullable(),
});
export type AuditEventDto = z.infer<typeof AuditEventDto>;

export const AuditPageDto = z.object({ events: z.array(AuditEventDto), nextCursor: z.string().nullable() });
export type AuditPageDto = z.infer<typeof AuditPageDto>;

export const AuditFacetsDto = z.object({
  actors: z.array(z.string()).describe("distinct actor labels, sorted, at most 200"),
  actions: z.array(z.string()).describe("distinct actions, sorted, at most 200"),
});
export type AuditFacetsDto = z.infer<typeof AuditFacetsDto>;
