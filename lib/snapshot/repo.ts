import type { Db, DbOrTx } from "../db/types";
import { LLM_FIELDS } from "../release/llm-settings";

// What the client API answers from, read in one REPEATABLE READ transaction so configs,
// versions and keys agree with each other and with the change fingerprint read alongside.

/** A live version: its id and label, and the columns of its LLM settings (named as the fields). */
const llmFields = {
  id: true,
  label: true,
  ...(Object.fromEntries(LLM_FIELDS.map((field) => [field, true])) as Record<(typeof LLM_FIELDS)[number], true>),
} as const;

export async function loadSnapshotRows(db: Db) {
  // Flat queries joined in code: Prisma runs a nested relation select as parallel queries on the
  // transaction's one connection, which node-postgres warns about.
  return db.$transaction(
    async (tx) => {
      const configs = await tx.config.findMany({
        select: {
          id: true,
          key: true,
          revision: true,
          canaryPercent: true,
          stableVersionId: true,
          canaryVersionId: true,
          activeRolloutId: true,
          samplePolicy: true,
          sampleFraction: true,
          gatewayClientOverrides: true,
          createdAt: true,
        },
      });
      const liveVersionIds = configs.flatMap((c) => [c.stableVersionId, c.canaryVersionId]).filter((id): id is string => id !== null);
      const liveVersions = await tx.version.findMany({ where: { id: { in: liveVersionIds } }, select: llmFields });
      const activeRollouts = await tx.rollout.findMany({
        where: { id: { in: configs.map((c) => c.activeRolloutId).filter((id): id is string => id !== null) } },
        select: { id: true, status: true, salt: true, sticky: true, includeUsers: true, excludeUsers: true, baseVersionId: true, canaryVersionId: true },
      });
      const rolloutSpans = await tx.rollout.findMany({
        select: { id: true, configId: true, baseVersionId: true, canaryVersionId: true, createdAt: true, endedAt: true },
        orderBy: { createdAt: "desc" },
      });
      // Every version's model too: ingest prices an outcome that carries tokens but no cost.
      const versions = await tx.version.findMany({ select: { id: true, configId: true, model: true } });
      const prices = await tx.modelPrice.findMany({ select: { model: true, inputUsdPerMillion: true, outputUsdPerMillion: true } });
      // What ingest checks a client's `scores` against, so it needs no database read per batch.
      const scoreDefinitions = await tx.scoreDefinition.findMany({ select: { configId: true, key: true, kind: true, min: true, max: true } });
      // Revoked keys too: they are refused at once as revoked, not looked up again as unknown.
      const apiKeys = await tx.apiKey.findMany({
        select: { id: true, name: true, selector: true, secretHash: true, scopes: true, revokedAt: true, configKeys: true },
      });
      // The gateway calls versions' connections from here, sealed: a secret is opened at its first call.
      const providers = await tx.providerConnection.findMany({
        select: { id: true, name: true, baseUrl: true, apiKeySealed: true, headersSealed: true, updatedAt: true },
      });
      const fingerprint = await changeFingerprint(tx);
      return { configs, liveVersions, activeRollouts, rolloutSpans, versions, prices, scoreDefinitions, apiKeys, providers, fingerprint };
    },
    { isolationLevel: "RepeatableRead" },
  );
}

export type SnapshotRows = Awaited<ReturnType<typeof loadSnapshotRows>>;

/**
 * Changes whenever anything in the snapshot may have changed: config revisions only grow and
 * every routing change bumps one; configs, versions and keys are never deleted; revoking sets
 * revoked_at once. Score definitions, model prices and provider connections may be deleted and
 * edited, and configs' gateway settings edited (no revision bump): their count and latest update
 * time change with each. The polling fallback compares it every few seconds.
 */
export async function changeFingerprint(db: DbOrTx): Promise<string> {
  const rows = await db.$queryRaw<{ fingerprint: string }[]>`
    SELECT concat_ws(':',
      (SELECT count(*) FROM configs), (SELECT coalesce(sum(revision), 0) FROM configs), (SELECT coalesce(max(updated_at), 'epoch') FROM configs),
      (SELECT count(*) FROM versions),
      (SELECT count(*) FROM api_keys), (SELECT count(revoked_at) FROM api_keys),
      (SELECT count(*) FROM score_definitions), (SELECT coalesce(max(updated_at), 'epoch') FROM score_definitions),
      (SELECT count(*) FROM model_prices), (SELECT coalesce(max(updated_at), 'epoch') FROM model_prices),
      (SELECT count(*) FROM provider_connections), (SELECT coalesce(max(updated_at), 'epoch') FROM provider_connections)) AS fingerprint`;
  return rows[0].fingerprint;
}
