import type { ApiKeyScope } from "../auth/scopes";
import type { Db, DbOrTx } from "../db/types";
import { LLM_FIELDS } from "../release/llm-settings";
import type { SamplePolicyKeep } from "../release/sample-policy";
import type { RolloutSpan } from "./past";

// What the client API answers from. A full load (start-up, a reconnected listener, a missed
// notification) reads every config and key, in chunks, inside one REPEATABLE READ transaction so
// they agree with each other. A partial load reads only the items a change named
// (lib/snapshot/changes.ts) — configs (each with its live versions not held yet, active rollout,
// latest rollouts and scores), keys, connections, prices — in ONE statement, consistent by
// itself, with no transaction: on an instance whose event loop is busy serving requests, each
// statement waits its turn, and a reload of six statements took ~60 ms of a change's propagation.
// Neither reads the history: versions that are not live and older rollouts stay in the database
// (attribution looks them up when an outcome needs them: lib/snapshot/past.ts).
//
// Rows come as JSON text built by PostgreSQL, one value per table and statement, parsed here: a
// config with its versions, rollouts and scores is one object, times are ms since epoch. Read
// through Prisma as rows with timestamps, 10,000 keys and 20,000 rollouts took 33 and 45 MB of
// transient heap.

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

/** A live version: its id and label, and its LLM settings (named as the fields). */
export type LlmRow = { id: string; label: string } & Record<(typeof LLM_FIELDS)[number], unknown>;

export interface ActiveRolloutRow {
  id: string;
  status: string;
  salt: string;
  sticky: boolean;
  includeUsers: string[];
  excludeUsers: string[];
  baseVersionId: string;
  canaryVersionId: string;
}

/** A config as a load reads it, with what the snapshot keeps of its versions, rollouts and scores. */
export interface ConfigRow {
  id: string;
  key: string;
  revision: number;
  canaryPercent: number;
  stableVersionId: string | null;
  canaryVersionId: string | null;
  samplePolicy: SamplePolicyKeep;
  sampleFraction: number | null;
  gatewayClientOverrides: boolean;
  /** ms since epoch */
  createdAt: number;
  /** Its stable and canary versions, those the snapshot does not hold already (SnapshotSink.knownVersionIds). */
  liveVersions: LlmRow[];
  activeRollout: ActiveRolloutRow | null;
  /** Its latest KEPT_ROLLOUTS + 1 rollouts, newest first. */
  rollouts: RolloutSpan[];
  scores: { key: string; kind: "boolean" | "numeric"; min: number | null; max: number | null }[];
}

// Revoked keys too: they are refused at once as revoked, not looked up again as unknown.
export interface KeyRow {
  id: string;
  name: string;
  selector: string;
  secretHash: string;
  scopes: ApiKeyScope[];
  revoked: boolean;
  configKeys: string[];
}

/** A connection: the gateway calls versions' connections from here, sealed (a secret is opened at its first call). */
export interface ProviderRow {
  id: string;
  name: string;
  baseUrl: string;
  apiKeySealed: string;
  headersSealed: string | null;
  /** ms since epoch */
  updatedAt: number;
}

export interface PriceRow {
  model: string;
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
}

/** Which rows of a table a statement reads: the ones named, all, or the `take` after `after` in key order (a full load's keyset page). */
type Rows = { ids: readonly string[] } | { all: true } | { after: string; take: number };

/** A statement's parameters, numbered as they are added. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The rows `rows` selects of `table` (whose key column is `key`), as a derived table. */
function from(table: string, key: string, rows: Rows, params: Params): string {
  if ("ids" in rows) return `(SELECT * FROM "${table}" WHERE ${key} = ANY(${params.add([...rows.ids])}::text[]))`;
  if ("all" in rows) return `"${table}"`;
  return `(SELECT * FROM "${table}" WHERE ${key} > ${params.add(rows.after)} ORDER BY ${key} LIMIT ${rows.take})`;
}

/** A timestamp column in ms since epoch. */
const ms = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/**
 * `json_build_object` of columns named as their fields (the columns are the fields in snake case),
 * and of `computed` entries (field → SQL expression).
 */
const object = (alias: string, fields: readonly string[], computed: Record<string, string> = {}) =>
  `json_build_object(${[...fields.map((f) => `'${f}', ${alias}.${snake(f)}`), ...Object.entries(computed).map(([f, sql]) => `'${f}', ${sql}`)].join(", ")})`;

/**
 * `rows` of configs as one JSON array, each config with its live versions not in `known`, its
 * active rollout, its latest rollouts (an index scan per config, whatever its history) and scores.
 */
function configsJson(rows: Rows, known: readonly string[], params: Params): string {
  const knownIds = params.add([...known]);
  return `(SELECT json_agg(json_build_object(
      'id', c.id, 'key', c.key, 'revision', c.revision, 'canaryPercent', c.canary_percent,
      'stableVersionId', c.stable_version_id, 'canaryVersionId', c.canary_version_id,
      'samplePolicy', c.sample_policy, 'sampleFraction', c.sample_fraction,
      'gatewayClientOverrides', c.gateway_client_overrides, 'createdAt', ${ms("c.created_at")},
      'liveVersions', (SELECT coalesce(json_agg(${object("v", ["id", "label", ...LLM_FIELDS])}), '[]') FROM "versions" v
        WHERE v.id IN (c.stable_version_id, c.canary_version_id) AND v.id <> ALL(${knownIds}::text[])),
      'activeRollout', (SELECT ${object("r", ["id", "status", "salt", "sticky", "includeUsers", "excludeUsers", "baseVersionId", "canaryVersionId"])} FROM "rollouts" r
        WHERE r.id = c.active_rollout_id),
      'rollouts', (SELECT coalesce(json_agg(json_build_object('id', r.id, 'baseVersionId', r.base_version_id, 'canaryVersionId', r.canary_version_id,
          'startedAt', ${ms("r.created_at")}, 'endedAt', ${ms("r.ended_at")}) ORDER BY r.created_at DESC), '[]')
        FROM (SELECT * FROM "rollouts" WHERE config_id = c.id ORDER BY created_at DESC LIMIT ${KEPT_ROLLOUTS + 1}) r),
      'scores', (SELECT coalesce(json_agg(${object("s", ["key", "kind", "min", "max"])}), '[]') FROM "score_definitions" s WHERE s.config_id = c.id)
    ) ORDER BY c.id)::text FROM ${from("configs", "id", rows, params)} c)`;
}

const keysJson = (rows: Rows, params: Params) =>
  `(SELECT json_agg(${object("k", ["id", "name", "selector", "secretHash", "scopes", "configKeys"], { revoked: "k.revoked_at IS NOT NULL" })} ORDER BY k.id)::text
    FROM ${from("api_keys", "id", rows, params)} k)`;
const providersJson = (rows: Rows, params: Params) =>
  `(SELECT json_agg(${object("p", ["id", "name", "baseUrl", "apiKeySealed", "headersSealed"], { updatedAt: ms("p.updated_at") })})::text
    FROM ${from("provider_connections", "id", rows, params)} p)`;
const pricesJson = (rows: Rows, params: Params) => `(SELECT json_agg(${object("m", ["model", "inputUsdPerMillion", "outputUsdPerMillion"])})::text FROM ${from("model_prices", "model", rows, params)} m)`;

/** What one statement reads: each part it names (none: skipped), and the change marker. */
interface Parts {
  configs?: { rows: Rows; known: readonly string[] };
  keys?: Rows;
  providers?: Rows;
  prices?: Rows;
  marker?: true;
}

const parsed = <T>(json: string | null | undefined): T[] => (json ? (JSON.parse(json) as T[]) : []);

/** The parts `parts` names, read in one statement. */
async function read(db: DbOrTx, parts: Parts) {
  const params = new Params();
  const columns = [
    parts.configs && `${configsJson(parts.configs.rows, parts.configs.known, params)} AS configs`,
    parts.keys && `${keysJson(parts.keys, params)} AS keys`,
    parts.providers && `${providersJson(parts.providers, params)} AS providers`,
    parts.prices && `${pricesJson(parts.prices, params)} AS prices`,
    parts.marker && `(SELECT seq FROM change_marker WHERE id = 1)::float8 AS seq`,
  ].filter((column) => column);
  type Row = Partial<Record<"configs" | "keys" | "providers" | "prices", string | null>> & { seq?: number | null };
  const [row]: Row[] = columns.length ? await db.$queryRawUnsafe<Row[]>(`SELECT ${columns.join(",\n")}`, ...params.values) : [{}];
  return {
    configs: parsed<ConfigRow>(row.configs),
    keys: parsed<KeyRow>(row.keys),
    providers: parsed<ProviderRow>(row.providers),
    prices: parsed<PriceRow>(row.prices),
    seq: row.seq ?? 0,
  };
}

/** Where a load hands its rows as they are read (lib/snapshot/build.ts SnapshotBuilder). */
export interface SnapshotSink {
  /** The live versions the snapshot holds already: versions never change, so those are not read again. */
  knownVersionIds(): readonly string[];
  configs(rows: ConfigRow[]): void;
  keys(rows: KeyRow[]): void;
}

/** The connections and prices a load read, and the change marker a full load read (null for a partial one). */
export interface SnapshotRest {
  providers: ProviderRow[];
  prices: PriceRow[];
  seq: number | null;
}

const named = (ids: readonly string[]): Rows | undefined => (ids.length > 0 ? { ids } : undefined);

/** Every row of a table, keyset page by page in id order, each page handed on as it is read, until one comes back short. */
async function inPages<T extends { id: string }>(take: number, readPage: (page: Rows) => Promise<T[]>, hand: (rows: T[]) => void): Promise<void> {
  for (let after = ""; ; ) {
    const rows = await readPage({ after, take });
    if (rows.length > 0) hand(rows);
    if (rows.length < take) return;
    after = rows[rows.length - 1].id;
  }
}

/**
 * The rows of `scope` (null: all), handed to `sink` as they are read. Returns the small tables
 * (connections, prices) and, for a full load, the change marker read in the same snapshot.
 */
export async function loadSnapshotRows(db: Db, scope: ReloadScope | null, sink: SnapshotSink): Promise<SnapshotRest> {
  if (scope) {
    const configs = named(scope.configIds);
    const rows = await read(db, {
      configs: configs && { rows: configs, known: sink.knownVersionIds() },
      keys: named(scope.keyIds),
      providers: named(scope.providerIds),
      prices: named(scope.models),
    });
    if (rows.configs.length > 0) sink.configs(rows.configs);
    if (rows.keys.length > 0) sink.keys(rows.keys);
    return { providers: rows.providers, prices: rows.prices, seq: null };
  }
  const known = sink.knownVersionIds();
  return db.$transaction(
    async (tx) => {
      await inPages(CONFIG_CHUNK, async (page) => (await read(tx, { configs: { rows: page, known } })).configs, (rows) => sink.configs(rows));
      await inPages(KEY_CHUNK, async (page) => (await read(tx, { keys: page })).keys, (rows) => sink.keys(rows));
      // A full load is every change up to the marker it read in the same snapshot.
      const { providers, prices, seq } = await read(tx, { providers: { all: true }, prices: { all: true }, marker: true });
      return { providers, prices, seq };
    },
    // Read-only, so a long transaction holds no lock: a full load of a large database (thousands of
    // configs and keys) may take seconds on a busy machine, past Prisma's default of 5.
    { isolationLevel: "RepeatableRead", timeout: 120_000 },
  );
}

/** The change marker (lib/change-notify.ts): the seq of the last change committed. One row: the polling fallback reads it every few seconds. */
export async function readChangeMarker(db: DbOrTx): Promise<number> {
  const rows = await db.$queryRaw<{ seq: bigint }[]>`SELECT seq FROM change_marker WHERE id = 1`;
  return rows.length ? Number(rows[0].seq) : 0;
}
