import type { Tx } from "./db/types";

export const CHANGE_CHANNEL = "llm_canary_changes";

/** What changed; each app instance reloads only what its routing snapshot holds of it (lib/snapshot/changes.ts). */
export type Change =
  | { kind: "config"; configId: string; revision: number }
  | { kind: "version"; configId: string; versionId: string }
  | { kind: "score"; configId: string; scoreKey: string }
  | { kind: "api_key"; apiKeyId: string }
  | { kind: "price"; model: string }
  | { kind: "provider"; providerId: string };

/** A notification's payload: the change, and its place in the order of all changes. */
export type ChangeNotice = Change & { seq: number };

/**
 * Tells every app instance that something the client API answers from changed. Sent inside the
 * transaction that made the change: Postgres delivers NOTIFY at commit and drops it on rollback,
 * so listeners never hear of a change that did not happen. The same statement bumps the change
 * marker (one row, locked until the commit, so `seq` grows by one per change in commit order)
 * and the notification carries the new `seq`: an instance that polls the marker and finds it
 * ahead of every notification it heard knows it missed one. An upsert, so a lost row cannot
 * silence the notifications.
 */
export async function notifyChange(tx: Tx, change: Change): Promise<void> {
  await tx.$executeRaw`
    WITH marker AS (
      INSERT INTO change_marker (id, seq) VALUES (1, 1)
      ON CONFLICT (id) DO UPDATE SET seq = change_marker.seq + 1
      RETURNING seq
    )
    SELECT pg_notify(${CHANGE_CHANNEL}, (jsonb_build_object('seq', seq) || ${JSON.stringify(change)}::jsonb)::text) FROM marker`;
}
