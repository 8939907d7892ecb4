import type { ApiKeyScope } from "../auth/scopes";
import type { TokenPrice } from "../pricing/cost";
import { openConnection } from "../providers/connection-service";
import type { Connection } from "../providers/provider-call";
import { llmSettingsDtoOf, llmSettingsOf, type LlmSettings } from "../release/llm-settings";
import { prepareTemplate, type PreparedTemplate } from "../release/llm-template";
import { routingRolloutOf, type RoutingRollout } from "../release/router";
import type { SamplePolicy } from "../release/sample-policy";
import type { SnapshotRows } from "./repo";

// The client API's view of the world, immutable once built: a new snapshot replaces the old one
// whole, so a request never sees half of a change.

export interface VersionEntry {
  id: string;
  label: string;
  /** Its settings: what the gateway builds a provider request from. */
  llm: LlmSettings;
  /** Its messages, parsed once: what /api/route renders when the app sends variables. */
  template: PreparedTemplate;
  /** The `llm` object of a /api/route answer, serialized once per snapshot, not per request. */
  llmJson: string;
}

export interface RolloutEntry {
  id: string;
  baseVersionId: string;
  canaryVersionId: string;
  routing: RoutingRollout;
}

/** When a rollout ran and which two versions it compared: late outcomes are attributed by it. */
export interface RolloutSpan {
  id: string;
  baseVersionId: string;
  canaryVersionId: string;
  startedAt: number; // ms since epoch
  endedAt: number | null;
}

/** A custom score of a config, as much as ingest checks a value against (lib/metrics/score-check.ts). */
export interface ScoreSpec {
  key: string;
  kind: "boolean" | "numeric";
  /** Numeric scores: the range values must lie in; null for boolean ones. */
  min: number | null;
  max: number | null;
}

/** How the gateway treats a config's calls (lib/release/config-schemas.ts describes each). */
export interface GatewaySettings {
  clientOverrides: boolean;
}

export interface ConfigEntry {
  id: string;
  key: string;
  revision: number;
  createdAt: Date;
  gateway: GatewaySettings;
  /** Which outcomes keep their samples: ingest and the gateway both follow it. */
  samplePolicy: SamplePolicy;
  stable: VersionEntry | null;
  canary: VersionEntry | null;
  /** The active (running or paused) rollout, or null: then everyone gets stable. */
  rollout: RolloutEntry | null;
  /** Every rollout of the config, newest first. */
  rollouts: readonly RolloutSpan[];
  /** The config's custom scores by key: what outcome events and late scores may carry. */
  scores: ReadonlyMap<string, ScoreSpec>;
}

export interface KeyEntry {
  id: string;
  name: string;
  secretHash: string;
  scopes: readonly ApiKeyScope[];
  revoked: boolean;
  /** The config keys the key may use; null: every config (lib/auth/api-key-configs.ts). */
  configs: readonly string[] | null;
}

/** A provider connection, as the gateway calls it. */
export interface ProviderEntry {
  id: string;
  name: string;
  /**
   * The connection with its secrets opened at the first call, then kept (for this row as it is:
   * a change to it makes a new entry). Throws a ProviderCallError `key_unreadable`.
   */
  open(): Connection;
}

/** Any version, live or not, as much as ingest needs: whose it is and which model it calls. */
export interface VersionRef {
  configId: string;
  model: string;
}

export interface Snapshot {
  configsByKey: ReadonlyMap<string, ConfigEntry>;
  /** Every version by id: /api/metrics checks that a version belongs to its config, and prices it. */
  versions: ReadonlyMap<string, VersionRef>;
  /** The model price table by model name (lib/pricing). */
  prices: ReadonlyMap<string, TokenPrice>;
  /** Every API key, revoked ones included. */
  keysBySelector: ReadonlyMap<string, KeyEntry>;
  /** Every provider connection by id. */
  providers: ReadonlyMap<string, ProviderEntry>;
  fingerprint: string;
  loadedAt: Date;
}

type LlmRow = SnapshotRows["liveVersions"][number];

/** Versions never change, so a version's entry (its parsed template, its JSON) is built once and carried over. */
function versionEntry(row: LlmRow | undefined, known: ReadonlyMap<string, VersionEntry>): VersionEntry | null {
  if (!row) return null;
  const entry = known.get(row.id);
  if (entry) return entry;
  const llm = llmSettingsOf(row);
  return { id: row.id, label: row.label, llm, template: prepareTemplate(llm), llmJson: JSON.stringify(llmSettingsDtoOf(llm)) };
}

type ProviderRow = SnapshotRows["providers"][number];
const providerRows = new WeakMap<ProviderEntry, ProviderRow>();

/** The entry of a connection, carried over from the previous snapshot while its row is unchanged (its opened secrets with it). */
function providerEntry(row: ProviderRow, previous: Snapshot | null): ProviderEntry {
  const known = previous?.providers.get(row.id);
  const knownRow = known && providerRows.get(known);
  if (known && knownRow && knownRow.updatedAt.getTime() === row.updatedAt.getTime() && knownRow.name === row.name) return known;
  let opened: Connection | null = null;
  const entry: ProviderEntry = { id: row.id, name: row.name, open: () => (opened ??= openConnection(row)) };
  providerRows.set(entry, row);
  return entry;
}

/** The version entries of a snapshot, by id. */
function versionEntries(snapshot: Snapshot | null): Map<string, VersionEntry> {
  const entries = new Map<string, VersionEntry>();
  for (const config of snapshot?.configsByKey.values() ?? []) {
    if (config.stable) entries.set(config.stable.id, config.stable);
    if (config.canary) entries.set(config.canary.id, config.canary);
  }
  return entries;
}

function keyEntry(k: SnapshotRows["apiKeys"][number]): KeyEntry {
  const configs = k.configKeys.length > 0 ? k.configKeys : null;
  return { id: k.id, name: k.name, secretHash: k.secretHash, scopes: k.scopes, revoked: k.revokedAt !== null, configs };
}

/** `previous`: the snapshot this one replaces, whose version entries are reused. */
export function buildSnapshot(rows: SnapshotRows, loadedAt: Date, previous: Snapshot | null = null): Snapshot {
  const known = versionEntries(previous);
  const versions = new Map(rows.liveVersions.map((v) => [v.id, v]));
  const rollouts = new Map(rows.activeRollouts.map((r) => [r.id, r]));
  const spans = new Map<string, RolloutSpan[]>();
  for (const r of rows.rolloutSpans) {
    const list = spans.get(r.configId) ?? [];
    list.push({ id: r.id, baseVersionId: r.baseVersionId, canaryVersionId: r.canaryVersionId, startedAt: r.createdAt.getTime(), endedAt: r.endedAt?.getTime() ?? null });
    spans.set(r.configId, list);
  }
  const scores = new Map<string, Map<string, ScoreSpec>>();
  for (const d of rows.scoreDefinitions) {
    const byKey = scores.get(d.configId) ?? new Map<string, ScoreSpec>();
    byKey.set(d.key, { key: d.key, kind: d.kind, min: d.min, max: d.max });
    scores.set(d.configId, byKey);
  }
  const configsByKey = new Map<string, ConfigEntry>();
  for (const row of rows.configs) {
    const active = row.activeRolloutId ? rollouts.get(row.activeRolloutId) : undefined;
    const routing = active
      ? routingRolloutOf({
          status: active.status,
          salt: active.salt,
          percent: row.canaryPercent,
          sticky: active.sticky,
          include: active.includeUsers,
          exclude: active.excludeUsers,
        })
      : null;
    configsByKey.set(row.key, {
      id: row.id,
      key: row.key,
      revision: row.revision,
      createdAt: row.createdAt,
      gateway: { clientOverrides: row.gatewayClientOverrides },
      samplePolicy: { keep: row.samplePolicy, fraction: row.sampleFraction },
      stable: versionEntry(row.stableVersionId ? versions.get(row.stableVersionId) : undefined, known),
      canary: versionEntry(row.canaryVersionId ? versions.get(row.canaryVersionId) : undefined, known),
      rollout:
        active && routing
          ? { id: active.id, baseVersionId: active.baseVersionId, canaryVersionId: active.canaryVersionId, routing }
          : null,
      rollouts: spans.get(row.id) ?? [],
      scores: scores.get(row.id) ?? new Map(),
    });
  }
  return {
    configsByKey,
    versions: new Map(rows.versions.map((v) => [v.id, { configId: v.configId, model: v.model }])),
    prices: new Map(rows.prices.map(({ model, ...price }) => [model, price])),
    keysBySelector: new Map(rows.apiKeys.map((k) => [k.selector, keyEntry(k)])),
    providers: new Map(rows.providers.map((p) => [p.id, providerEntry(p, previous)])),
    fingerprint: rows.fingerprint,
    loadedAt,
  };
}
