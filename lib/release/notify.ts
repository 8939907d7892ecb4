import type { Tx } from "../db/types";

export const CONFIG_CHANNEL = "llm_canary_config";

/**
 * Tells every app instance that a config's routing state changed. Sent inside the transaction
 * that made the change: Postgres delivers NOTIFY at commit and drops it on rollback, so
 * listeners never hear of a change that did not happen.
 */
export async function notifyConfigChanged(tx: Tx, configId: string, revision: number): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CONFIG_CHANNEL}, ${JSON.stringify({ configId, revision })})`;
}
