import type { Db } from "../db/types";

// The history the snapshot does not hold, read when an outcome needs it (lib/snapshot/past.ts):
// each by an index, for the few ids and times a batch asks about.

export function findVersionRefs(db: Db, ids: readonly string[]) {
  return db.version.findMany({ where: { id: { in: [...ids] } }, select: { id: true, configId: true, model: true } });
}

export interface RolloutSpanRow {
  id: string;
  configId: string;
  baseVersionId: string;
  canaryVersionId: string;
  createdAt: Date;
  endedAt: Date | null;
}

export function findRolloutSpans(db: Db, ids: readonly string[]): Promise<RolloutSpanRow[]> {
  return db.rollout.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, configId: true, baseVersionId: true, canaryVersionId: true, createdAt: true, endedAt: true },
  });
}

export interface RolloutAtQuestion {
  configId: string;
  versionId: string;
  at: number; // ms since epoch
}

/**
 * For each question, the newest rollout of the config that had started by `at`, had not ended
 * before it, and compared the version (as base or canary) — what attribution would have found
 * had it held every rollout. `n` is the question's position (1-based); questions with none are absent.
 */
export function findRolloutsAt(db: Db, questions: readonly RolloutAtQuestion[]): Promise<(RolloutSpanRow & { n: number })[]> {
  return db.$queryRawUnsafe(
    `SELECT q.n::integer AS n, r.id, r.config_id AS "configId", r.base_version_id AS "baseVersionId",
       r.canary_version_id AS "canaryVersionId", r.created_at AS "createdAt", r.ended_at AS "endedAt"
     FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS q(config_id, version_id, at, n)
     CROSS JOIN LATERAL (
       SELECT * FROM rollouts
       WHERE config_id = q.config_id AND created_at <= q.at AND (ended_at IS NULL OR ended_at >= q.at)
         AND q.version_id IN (base_version_id, canary_version_id)
       ORDER BY created_at DESC LIMIT 1
     ) r`,
    questions.map((q) => q.configId),
    questions.map((q) => q.versionId),
    questions.map((q) => new Date(q.at).toISOString()),
  );
}
