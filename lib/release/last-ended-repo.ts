import type { DbOrTx } from "../db/types";
import { ACTIVE_STATUSES, ENDING_ACTIONS, rolloutAuditAction } from "./transitions";

export interface LastEndedRolloutRow {
  configId: string;
  id: string;
  status: string;
  endReason: string | null;
  endedAt: Date | null;
  canaryVersionId: string;
  canaryLabel: string;
  /** Who ended it: the actor of its latest ending audit event (null when none was recorded). */
  endedByType: string | null;
  endedByLabel: string | null;
}

const ENDING_AUDIT_ACTIONS = ENDING_ACTIONS.map(rolloutAuditAction);

/**
 * Each config's most recently ended rollout (promoted, rolled back or aborted), in one statement
 * for every config. Who ended it is not a column of the rollout: it is the actor of the ending
 * audit event, which the same transaction wrote (lib/release/rollout-service.ts), so it is always
 * there and cannot disagree with the rollout. A revert ends a promoted rollout again: its time and
 * actor are the revert's.
 */
export function listLastEndedRollouts(db: DbOrTx): Promise<LastEndedRolloutRow[]> {
  return db.$queryRaw<LastEndedRolloutRow[]>`
    SELECT last.config_id AS "configId", last.id, last.status::text AS status, last.end_reason AS "endReason",
           last.ended_at AS "endedAt", v.id AS "canaryVersionId", v.label AS "canaryLabel",
           ender.actor_type::text AS "endedByType", ender.actor_label AS "endedByLabel"
    FROM (
      SELECT DISTINCT ON (r.config_id) r.config_id, r.id, r.status, r.end_reason, r.ended_at, r.canary_version_id
      FROM rollouts r
      WHERE NOT (r.status::text = ANY(${[...ACTIVE_STATUSES]}::text[]))
      ORDER BY r.config_id, r.ended_at DESC NULLS LAST, r.created_at DESC
    ) last
    JOIN versions v ON v.id = last.canary_version_id
    LEFT JOIN LATERAL (
      SELECT a.actor_type, a.actor_label
      FROM audit_events a
      WHERE a.entity_type = 'rollout' AND a.entity_id = last.id AND a.action = ANY(${ENDING_AUDIT_ACTIONS}::text[])
      ORDER BY a.id DESC
      LIMIT 1
    ) ender ON true`;
}
