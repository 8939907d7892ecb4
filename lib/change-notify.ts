import type { Tx } from "./db/types";

export const CHANGE_CHANNEL = "llm_canary_changes";

/** What changed; every app instance reloads its routing snapshot on any of these. */
export type Change =
  | { kind: "config"; configId: string; revision: number }
  | { kind: "version"; configId: string; versionId: string }
  | { kind: "score"; configId: string; scoreKey: string }
  | { kind: "api_key"; apiKeyId: string }
  | { kind: "price"; model: string }
  | { kind: "provider"; providerId: string };

/**
 * Tells every app instance that something the client API answers from changed. Sent inside the
 * transaction that made the change: Postgres delivers NOTIFY at commit and drops it on rollback,
 * so listeners never hear of a change that did not happen.
 */
export async function notifyChange(tx: Tx, change: Change): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CHANGE_CHANNEL}, ${JSON.stringify(change)})`;
}
