import { openConnection } from "../providers/connection-service";
import type { Connection } from "../providers/provider-call";
import { llmSettingsDtoOf, llmSettingsOf } from "../release/llm-settings";
import { prepareTemplate } from "../release/llm-template";
import { routingRolloutOf } from "../release/router";
import type { PastSource } from "./past";
import { KEPT_ROLLOUTS, type ConfigRow, type KeyRow, type LlmRow, type ProviderRow, type ReloadScope, type SnapshotRest, type SnapshotSink } from "./repo";
import type { ConfigEntry, KeyEntry, ProviderEntry, ScoreSpec, Snapshot, VersionEntry } from "./snapshot";

// Builds a snapshot from loaded rows (lib/snapshot/repo.ts) as they are read, chunk by chunk:
// from scratch for a full load, or as the previous snapshot with the loaded items replaced for a
// partial one. Either way the entries of versions it already holds (parsed template, serialized
// JSON) and of unchanged connections (opened secrets) are carried over.

/** The live version entries of `configIds`' entries in `snapshot` (null: of every config), by id. */
export function liveVersionEntries(snapshot: Snapshot | null, configIds: readonly string[] | null): Map<string, VersionEntry> {
  const entries = new Map<string, VersionEntry>();
  const configs = configIds === null ? snapshot?.configsById.values() : configIds.map((id) => snapshot?.configsById.get(id));
  for (const config of configs ?? []) {
    if (config?.stable) entries.set(config.stable.id, config.stable);
    if (config?.canary) entries.set(config.canary.id, config.canary);
  }
  return entries;
}

/** Versions never change, so a version's entry is built once and carried over. */
function versionEntry(id: string | null, rows: readonly LlmRow[], known: ReadonlyMap<string, VersionEntry>): VersionEntry | null {
  if (id === null) return null;
  const entry = known.get(id);
  if (entry) return entry;
  const row = rows.find((v) => v.id === id);
  if (!row) return null;
  const llm = llmSettingsOf(row);
  return { id: row.id, label: row.label, llm, template: prepareTemplate(llm), llmJson: JSON.stringify(llmSettingsDtoOf(llm)) };
}

const providerRows = new WeakMap<ProviderEntry, ProviderRow>();

/** The entry of a connection, carried over from the previous snapshot while its row is unchanged (its opened secrets with it). */
function providerEntry(row: ProviderRow, previous: Snapshot | null): ProviderEntry {
  const known = previous?.providers.get(row.id);
  const knownRow = known && providerRows.get(known);
  if (known && knownRow && knownRow.updatedAt === row.updatedAt && knownRow.name === row.name) return known;
  let opened: Connection | null = null;
  const entry: ProviderEntry = { id: row.id, name: row.name, open: () => (opened ??= openConnection(row)) };
  providerRows.set(entry, row);
  return entry;
}

function keyEntry(k: KeyRow): KeyEntry {
  const configs = k.configKeys.length > 0 ? k.configKeys : null;
  return { id: k.id, name: k.name, secretHash: k.secretHash, scopes: k.scopes, revoked: k.revoked, configs };
}

/** The entry of a loaded config. */
function configEntry(row: ConfigRow, known: ReadonlyMap<string, VersionEntry>): ConfigEntry {
  const rollout = row.activeRollout;
  const routing = rollout
    ? routingRolloutOf({ status: rollout.status, salt: rollout.salt, percent: row.canaryPercent, sticky: rollout.sticky, include: rollout.includeUsers, exclude: rollout.excludeUsers })
    : null;
  // Newest first, as loaded.
  const latest = row.rollouts;
  const older = latest[KEPT_ROLLOUTS];
  return {
    id: row.id,
    key: row.key,
    revision: row.revision,
    createdAt: new Date(row.createdAt),
    gateway: { clientOverrides: row.gatewayClientOverrides },
    samplePolicy: { keep: row.samplePolicy, fraction: row.sampleFraction },
    stable: versionEntry(row.stableVersionId, row.liveVersions, known),
    canary: versionEntry(row.canaryVersionId, row.liveVersions, known),
    rollout: rollout && routing ? { id: rollout.id, baseVersionId: rollout.baseVersionId, canaryVersionId: rollout.canaryVersionId, routing } : null,
    rollouts: latest.slice(0, KEPT_ROLLOUTS),
    // An older rollout still running cannot be (one active rollout per config); if the data says so, always look.
    olderRolloutsEndedAt: older ? (older.endedAt ?? Number.POSITIVE_INFINITY) : null,
    scores: new Map(row.scores.map((s): [string, ScoreSpec] => [s.key, { key: s.key, kind: s.kind, min: s.min, max: s.max }])),
  };
}

/**
 * A snapshot built as a load's rows come (lib/snapshot/repo.ts SnapshotSink): `previous` is the
 * snapshot this one replaces (required for a partial load, whose `scope` names what it read);
 * `past` what the snapshot answers about the history it does not hold.
 */
export class SnapshotBuilder implements SnapshotSink {
  private readonly base: Snapshot | null;
  /** The live version entries carried over: a full load's from every config, a partial load's from the configs it reads. */
  private readonly known: ReadonlyMap<string, VersionEntry>;
  private configsByKey: Map<string, ConfigEntry> | null = null;
  private configsById: Map<string, ConfigEntry> | null = null;
  private keysBySelector: Map<string, KeyEntry> | null = null;

  constructor(
    private readonly scope: ReloadScope | null,
    private readonly previous: Snapshot | null,
    private readonly past: PastSource,
  ) {
    if (scope && !previous) throw new Error("A partial load applies to a snapshot; load everything first.");
    this.base = scope ? previous : null;
    this.known = liveVersionEntries(previous, scope ? scope.configIds : null);
  }

  knownVersionIds(): readonly string[] {
    return [...this.known.keys()];
  }

  configs(rows: ConfigRow[]): void {
    this.configsByKey ??= new Map(this.base?.configsByKey ?? []);
    this.configsById ??= new Map(this.base?.configsById ?? []);
    for (const row of rows) {
      const entry = configEntry(row, this.known);
      this.configsByKey.set(entry.key, entry);
      this.configsById.set(entry.id, entry);
    }
  }

  keys(rows: KeyRow[]): void {
    this.keysBySelector ??= new Map(this.base?.keysBySelector ?? []);
    for (const row of rows) this.keysBySelector.set(row.selector, keyEntry(row));
  }

  /** The snapshot, once every chunk is in: `rest` the connections and prices the load read. */
  finish(rest: Pick<SnapshotRest, "providers" | "prices">, loadedAt: Date): Snapshot {
    // Configs and keys are never deleted and their key or selector never changes; connections and
    // prices may be deleted: what a partial load asked for and did not find is gone. A map the
    // load did not touch is the previous snapshot's, shared.
    const base = this.base;
    const providerIds = this.scope?.providerIds ?? [];
    const models = this.scope?.models ?? [];
    return {
      configsByKey: this.configsByKey ?? base?.configsByKey ?? new Map(),
      configsById: this.configsById ?? base?.configsById ?? new Map(),
      keysBySelector: this.keysBySelector ?? base?.keysBySelector ?? new Map(),
      providers: edited(base?.providers, providerIds.length > 0, (map) => {
        providerIds.forEach((id) => map.delete(id));
        rest.providers.forEach((p) => map.set(p.id, providerEntry(p, this.previous)));
      }),
      prices: edited(base?.prices, models.length > 0, (map) => {
        models.forEach((model) => map.delete(model));
        rest.prices.forEach(({ model, ...price }) => map.set(model, price));
      }),
      past: this.past,
      loadedAt,
    };
  }
}

/**
 * `before` as this load leaves it: itself when the load did not touch it (shared with the
 * snapshot it came from), else a copy with `edit` applied; a full load (no `before`) fills a new map.
 */
function edited<V>(before: ReadonlyMap<string, V> | undefined, touched: boolean, edit: (map: Map<string, V>) => void): ReadonlyMap<string, V> {
  if (before && !touched) return before;
  const map = new Map(before ?? []);
  edit(map);
  return map;
}
