import type { Db, DbOrTx, Tx } from "../db/types";
import { LLM_FIELDS } from "../release/llm-settings";
import type { RolloutSpan } from "./past";

// What the client API answers from, read in one REPEATABLE READ transaction so configs, their
// versions, rollouts and scores, and keys agree with each other. A full load (start-up, a
// reconnected listener, a missed notification) reads every config and key; a partial load reads
// only the items a change named (lib/snapshot/changes.ts) — one config's routing row, live
// versions, active rollout, latest rollouts and scores; one key; one connection; one price.
// Neither reads the history: versions that are not live and older rollouts stay in the database
// (attribution looks them up when an outcome needs them: lib/snapshot/past.ts).

/** The items a partial load reads; null: everything. */
export interface ReloadScope {
  configIds: readonly string[];
  keyIds: readonly string[];
  providerIds: readonly string[];
  models: readonly string[];
}

/**
 * A config's latest rollouts the snapshot keeps, newest first: the active one and those just
 * ended, which is where late outcomes come from. One more is read to learn when the older ones
 * ended (ConfigEntry.olderRolloutsEndedAt).
 */
export const KEPT_ROLLOUTS = 3;

/**
 * Configs, and keys, a full load reads per statement. Each chunk is built into snapshot entries
 * before the next is read, so a load holds one chunk of rows at a time: read whole, the rows of
 * 5,000 configs and 10,000 keys grew the heap by 100-200 MB, which V8 then kept.
 */
const CONFIG_CHUNK = 500;
const KEY_CHUNK = 2_000;

/** A live version: its id and label, and the columns of its LLM settings (named as the fields). */
const llmFields = {
  id: true,
  label: true,
  ...(Object.fromEntries(LLM_FIELDS.map((field) => [field, true])) as Record<(typeof LLM_FIELDS)[number], true>),
} as const;

const configFields = {
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
} as const;

const activeRolloutFields = { id: true, status: true, salt: true, sticky: true, includeUsers: true, excludeUsers: true, baseVersionId: true, canaryVersionId: true } as const;
// Revoked keys too: they are refused at once as revoked, not looked up again as unknown.
const keyFields = { id: true, name: true, selector: true, secretHash: true, scopes: true, revokedAt: true, configKeys: true } as const;
// The gateway calls versions' connections from here, sealed: a secret is opened at its first call.
const providerFields = { id: true, name: true, baseUrl: true, apiKeySealed: true, headersSealed: true, updatedAt: true } as const;
const priceFields = { model: true, inputUsdPerMillion: true, outputUsdPerMillion: true } as const;
// What ingest checks a client's `scores` against, so it needs no database read per batch.
const scoreFields = { configId: true, key: true, kind: true, min: true, max: true } as const;

export interface RolloutSpanRow {
  id: string;
  configId: string;
  baseVersionId: string;
  canaryVersionId: string;
  createdAt: Date;
  endedAt: Date | null;
}

/** A config's latest rollouts, newest first, as the snapshot keeps them (times in ms since epoch). */
export interface LatestRollouts {
  configId: string;
  spans: RolloutSpan[];
}

/** A chunk of ids: the ones named (a partial load), or the `take` after `after` in id order (a full load's keyset page). */
type Chunk = { ids: readonly string[] } | { after: string | null; take: number };

const chunkWhere = (chunk: Chunk) => ("ids" in chunk ? { id: { in: [...chunk.ids] } } : chunk.after === null ? {} : { id: { gt: chunk.after } });
const chunkTake = (chunk: Chunk) => ("ids" in chunk ? undefined : chunk.take);

function readConfigs(tx: Tx, chunk: Chunk) {
  return tx.config.findMany({ where: chunkWhere(chunk), orderBy: { id: "asc" }, take: chunkTake(chunk), select: configFields });
}

function readKeys(tx: Tx, chunk: Chunk) {
  return tx.apiKey.findMany({ where: chunkWhere(chunk), orderBy: { id: "asc" }, take: chunkTake(chunk), select: keyFields });
}

/**
 * Each config's latest KEPT_ROLLOUTS + 1 rollouts, newest first: an index scan per config, whatever
 * its history. One row per config, its rollouts as one JSON array of arrays with times in ms:
 * read as a row per rollout with timestamps, Prisma's raw results took 45 MB of transient heap
 * and 220 ms for 20,000 rollouts, against 17 MB and 140 ms this way.
 */
async function latestRollouts(tx: Tx, configIds: readonly string[]): Promise<LatestRollouts[]> {
  const ms = (column: string) => `floor(extract(epoch FROM r.${column}) * 1000)::float8`;
  const rows = await tx.$queryRawUnsafe<{ configId: string; spans: string | null }[]>(
    `SELECT c.id AS "configId",
       (SELECT json_agg(json_build_array(r.id, r.base_version_id, r.canary_version_id, ${ms("created_at")}, ${ms("ended_at")}) ORDER BY r.created_at DESC)::text
        FROM (SELECT * FROM rollouts WHERE config_id = c.id ORDER BY created_at DESC LIMIT ${KEPT_ROLLOUTS + 1}) r) AS spans
     FROM configs c WHERE c.id = ANY($1::text[])`,
    configIds,
  );
  return rows.map(({ configId, spans }) => ({
    configId,
    spans: spans === null ? [] : (JSON.parse(spans) as [string, string, string, number, number | null][]).map(([id, baseVersionId, canaryVersionId, startedAt, endedAt]) => ({ id, baseVersionId, canaryVersionId, startedAt, endedAt })),
  }));
}

/** A query whose ids are none is skipped; undefined ids: all rows. */
const some = <T>(ids: readonly string[] | undefined, read: () => Promise<T[]>): Promise<T[]> => (ids && ids.length === 0 ? Promise.resolve([]) : read());

/** The rows of a chunk of configs: their live versions not yet held, active rollouts, latest rollouts and scores. */
async function readConfigChunk(tx: Tx, chunk: Chunk, knownVersion: (id: string) => boolean) {
  // Flat queries joined in code: Prisma runs a nested relation select as parallel queries on the
  // transaction's one connection, which node-postgres warns about.
  const configs = await readConfigs(tx, chunk);
  const configIds = configs.map((c) => c.id);
  const newVersionIds = configs.flatMap((c) => [c.stableVersionId, c.canaryVersionId]).filter((id): id is string => id !== null && !knownVersion(id));
  const liveVersions = await some(newVersionIds, () => tx.version.findMany({ where: { id: { in: newVersionIds } }, select: llmFields }));
  const activeIds = configs.flatMap((c) => (c.activeRolloutId ? [c.activeRolloutId] : []));
  const activeRollouts = await some(activeIds, () => tx.rollout.findMany({ where: { id: { in: activeIds } }, select: activeRolloutFields }));
  const rolloutSpans = await some(configIds, () => latestRollouts(tx, configIds));
  const scoreDefinitions = await some(configIds, () => tx.scoreDefinition.findMany({ where: { configId: { in: configIds } }, select: scoreFields }));
  return { configs, liveVersions, activeRollouts, rolloutSpans, scoreDefinitions };
}

export type ConfigChunk = Awaited<ReturnType<typeof readConfigChunk>>;
export type KeyRow = Awaited<ReturnType<typeof readKeys>>[number];

/** Where a load hands its rows as they are read (lib/snapshot/build.ts SnapshotBuilder). */
export interface SnapshotSink {
  /** True for a live version the snapshot holds already: versions never change, so those are not read again. */
  knownVersion(id: string): boolean;
  configs(chunk: ConfigChunk): void;
  keys(rows: KeyRow[]): void;
}

/**
 * Reads `ids`' rows (a partial load: one chunk, skipped when there are none), or every row
 * (undefined: keyset pages of `size` in id order, until one comes back short).
 */
async function inChunks(ids: readonly string[] | undefined, size: number, read: (chunk: Chunk) => Promise<{ id: string }[]>): Promise<void> {
  if (ids) {
    if (ids.length > 0) await read({ ids });
    return;
  }
  for (let after: string | null = null; ; ) {
    const rows = await read({ after, take: size });
    if (rows.length < size) return;
    after = rows[rows.length - 1].id;
  }
}

/**
 * The rows of `scope` (null: all), handed to `sink` chunk by chunk as they are read, in one
 * transaction. Returns the small tables (connections, prices) and, for a full load, the change
 * marker read in the same snapshot.
 */
export async function loadSnapshotRows(db: Db, scope: ReloadScope | null, sink: SnapshotSink) {
  const only = (ids: readonly string[] | undefined) => (ids ? { in: [...ids] } : undefined);
  return db.$transaction(
    async (tx) => {
      await inChunks(scope?.configIds, CONFIG_CHUNK, async (chunk) => {
        const rows = await readConfigChunk(tx, chunk, (id) => sink.knownVersion(id));
        if (rows.configs.length > 0) sink.configs(rows);
        return rows.configs;
      });
      await inChunks(scope?.keyIds, KEY_CHUNK, async (chunk) => {
        const keys = await readKeys(tx, chunk);
        if (keys.length > 0) sink.keys(keys);
        return keys;
      });
      const providers = await some(scope?.providerIds, () => tx.providerConnection.findMany({ where: { id: only(scope?.providerIds) }, select: providerFields }));
      const prices = await some(scope?.models, () => tx.modelPrice.findMany({ where: { model: only(scope?.models) }, select: priceFields }));
      // A full load is every change up to the marker it read in the same snapshot.
      const seq = scope ? null : await readChangeMarker(tx);
      return { providers, prices, seq };
    },
    // Read-only, so a long transaction holds no lock: a full load of a large database (thousands of
    // configs and keys) may take seconds on a busy machine, past Prisma's default of 5.
    { isolationLevel: "RepeatableRead", timeout: scope ? 10_000 : 120_000 },
  );
}

/** The connections and prices a load read, and the change marker a full load read. */
export type SnapshotRest = Awaited<ReturnType<typeof loadSnapshotRows>>;

/** The change marker (lib/change-notify.ts): the seq of the last change committed. One row: the polling fallback reads it every few seconds. */
export async function readChangeMarker(db: DbOrTx): Promise<number> {
  const rows = await db.$queryRaw<{ seq: bigint }[]>`SELECT seq FROM change_marker WHERE id = 1`;
  return rows.length ? Number(rows[0].seq) : 0;
}
