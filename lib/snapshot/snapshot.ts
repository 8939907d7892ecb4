import type { ApiKeyScope } from "../auth/scopes";
import type { TokenPrice } from "../pricing/cost";
import type { Connection } from "../providers/provider-call";
import type { LlmSettings } from "../release/llm-settings";
import type { PreparedTemplate } from "../release/llm-template";
import type { RoutingRollout } from "../release/router";
import type { SamplePolicy } from "../release/sample-policy";
import type { PastSource, RolloutSpan } from "./past";

// The client API's view of the world, immutable once built (lib/snapshot/build.ts): a change
// builds a new snapshot that shares every entry it did not touch with the one it replaces, so a
// request never sees half of a change.

export type { RolloutSpan, VersionRef } from "./past";

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
  /** The config's latest rollouts (lib/snapshot/repo.ts KEPT_ROLLOUTS), newest first. */
  rollouts: readonly RolloutSpan[];
  /**
   * When the newest of its older rollouts (not in `rollouts`) ended, ms since epoch; null when
   * there are none. Rollouts of a config run one at a time, so an outcome from after then can
   * only belong to one of `rollouts`; an earlier one is looked up (lib/snapshot/past.ts).
   */
  olderRolloutsEndedAt: number | null;
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

export interface Snapshot {
  configsByKey: ReadonlyMap<string, ConfigEntry>;
  configsById: ReadonlyMap<string, ConfigEntry>;
  /** The model price table by model name (lib/pricing). */
  prices: ReadonlyMap<string, TokenPrice>;
  /** Every API key, revoked ones included. */
  keysBySelector: ReadonlyMap<string, KeyEntry>;
  /** Every provider connection by id. */
  providers: ReadonlyMap<string, ProviderEntry>;
  /** What is not held here — versions no longer live, older rollouts — asked for when an outcome needs it. */
  past: PastSource;
  loadedAt: Date;
}
