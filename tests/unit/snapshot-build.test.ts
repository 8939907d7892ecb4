import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sealApiKey } from "@/lib/providers/sealed-fields";
import { LlmSettings } from "@/lib/release/llm-settings";
import { SnapshotBuilder } from "@/lib/snapshot/build";
import type { PastSource } from "@/lib/snapshot/past";
import type { ConfigRow, KeyRow, ProviderRow, ReloadScope, SnapshotRest } from "@/lib/snapshot/repo";
import type { Snapshot } from "@/lib/snapshot/snapshot";

// A version never changes, so a rebuilt snapshot keeps the entries (parsed template, serialized
// answer parts) of the versions it already had and prepares only new ones.

const llm = LlmSettings.parse({ model: "gpt-4o", messages: [{ role: "user", content: "Hi {{name}}" }], temperature: 0.2, maxTokens: 100 });
const version = (id: string) => ({ id, label: id, ...llm });

/** Nothing in these tests asks about the past. */
const past: PastSource = { version: () => null, rollout: () => null, rolloutAt: () => null, answer: async () => past };

/** What one load read, handed to the builder as a single chunk (a full load's come in several: lib/snapshot/repo.ts). */
type SnapshotRows = SnapshotRest & { scope: ReloadScope | null; configs: ConfigRow[]; apiKeys: KeyRow[] };

function buildSnapshot(rows: SnapshotRows, loadedAt: Date, previous: Snapshot | null = null): Snapshot {
  const builder = new SnapshotBuilder(rows.scope, previous, past);
  if (rows.configs.length > 0) builder.configs(rows.configs);
  if (rows.apiKeys.length > 0) builder.keys(rows.apiKeys);
  return builder.finish(rows, loadedAt);
}

/** A config `chat` with these live versions, the ones not in `known` read with it. */
function config(stableVersionId: string, canaryVersionId: string | null, known: readonly string[] = []): ConfigRow {
  const live = [stableVersionId, canaryVersionId].filter((id): id is string => id !== null && !known.includes(id));
  return {
    id: "cfg_1",
    key: "chat",
    revision: 1,
    canaryPercent: 0,
    stableVersionId,
    canaryVersionId,
    samplePolicy: "all",
    sampleFraction: null,
    gatewayClientOverrides: false,
    createdAt: 0,
    liveVersions: live.map(version),
    activeRollout: null,
    rollouts: [],
    scores: [],
  };
}

function rows(stableVersionId: string, canaryVersionId: string | null, providers: ProviderRow[] = []): SnapshotRows {
  return { scope: null, configs: [config(stableVersionId, canaryVersionId)], apiKeys: [], providers, prices: [], seq: 1 };
}

describe("buildSnapshot", () => {
  it("reuses the previous snapshot's entry of a version it still serves, and builds one for a new version", () => {
    const first = buildSnapshot(rows("ver_a", "ver_b"), new Date());
    const second = buildSnapshot(rows("ver_b", "ver_c"), new Date(), first);
    const before = first.configsByKey.get("chat")!;
    const after = second.configsByKey.get("chat")!;
    expect(after.stable).toBe(before.canary);
    expect(after.canary).toMatchObject({ id: "ver_c", label: "ver_c" });
    expect(after.canary!.llmJson).toBe(before.stable!.llmJson); // same settings, serialized alike
    expect(buildSnapshot(rows("ver_b", null), new Date()).configsByKey.get("chat")!.stable).not.toBe(before.canary);
  });
});

describe("a full load read in chunks", () => {
  it("holds the configs of every chunk, and a key of each", () => {
    const chunk = (id: string, key: string, versionId: string): ConfigRow[] => [{ ...config(versionId, null), id, key }];
    const key = (id: string): KeyRow => ({ id, name: id, selector: `sel_${id}`, secretHash: "0".repeat(64), scopes: ["route"], revoked: false, configKeys: [] });
    const builder = new SnapshotBuilder(null, null, past);
    builder.configs(chunk("cfg_1", "chat", "ver_a"));
    builder.configs(chunk("cfg_2", "search", "ver_b"));
    builder.keys([key("key_1")]);
    builder.keys([key("key_2")]);
    const snapshot = builder.finish({ providers: [], prices: [] }, new Date());
    expect([...snapshot.configsByKey.keys()]).toEqual(["chat", "search"]);
    expect(snapshot.configsById.get("cfg_2")!.stable).toMatchObject({ id: "ver_b" });
    expect([...snapshot.keysBySelector.keys()]).toEqual(["sel_key_1", "sel_key_2"]);
  });
});

describe("provider connections in the snapshot", () => {
  process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  const connection = (apiKey: string, updatedAt: number): ProviderRow => ({
    id: "prv_1",
    name: "local",
    baseUrl: "https://llm.example.com/v1",
    ...sealApiKey("prv_1", apiKey),
    headersSealed: null,
    updatedAt,
  });

  it("opens a connection's secrets on first use and keeps its entry (secrets opened) until its row changes", () => {
    const first = buildSnapshot(rows("ver_a", null, [connection("sk-first-key-0000", 1)]), new Date());
    const entry = first.providers.get("prv_1")!;
    expect(entry.open()).toEqual({ baseUrl: "https://llm.example.com/v1", apiKey: "sk-first-key-0000", headers: {} });
    expect(entry.open()).toBe(entry.open());
    const same = buildSnapshot(rows("ver_a", null, [connection("sk-first-key-0000", 1)]), new Date(), first);
    expect(same.providers.get("prv_1")).toBe(entry);
    const changed = buildSnapshot(rows("ver_a", null, [connection("sk-second-key-000", 2)]), new Date(), same);
    expect(changed.providers.get("prv_1")).not.toBe(entry);
    expect(changed.providers.get("prv_1")!.open().apiKey).toBe("sk-second-key-000");
    expect(buildSnapshot(rows("ver_a", null), new Date(), changed).providers.size).toBe(0);
  });

  it("answers a connection whose secrets cannot be opened with key_unreadable, naming it", () => {
    const broken = { ...connection("sk-first-key-0000", 1), apiKeySealed: "v1.not-a-sealed-value" };
    const entry = buildSnapshot(rows("ver_a", null, [broken]), new Date()).providers.get("prv_1")!;
    expect(() => entry.open()).toThrow(expect.objectContaining({ kind: "key_unreadable", message: expect.stringContaining('"local"') }));
  });
});

describe("a partial load applied to a snapshot", () => {
  const scope = (over: Partial<Record<"configIds" | "keyIds" | "providerIds" | "models", string[]>>) => ({ configIds: [], keyIds: [], providerIds: [], models: [], ...over });

  it("replaces the configs it read and shares every map it did not touch", () => {
    const before = buildSnapshot({ ...rows("ver_a", null), prices: [{ model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: 2 }] }, new Date());
    // The config again, now with a canary; its stable version is not read again (the snapshot holds it).
    const builder = new SnapshotBuilder(scope({ configIds: ["cfg_1"] }), before, past);
    expect(builder.knownVersionIds()).toEqual(["ver_a"]);
    const partial = { ...rows("ver_a", "ver_b"), scope: scope({ configIds: ["cfg_1"] }), configs: [config("ver_a", "ver_b", builder.knownVersionIds())], seq: null };
    const after = buildSnapshot(partial, new Date(), before);
    const chat = after.configsByKey.get("chat")!;
    expect(chat.stable).toBe(before.configsByKey.get("chat")!.stable);
    expect(chat.canary).toMatchObject({ id: "ver_b" });
    expect(after.configsById.get("cfg_1")).toBe(chat);
    expect(after.prices).toBe(before.prices);
    expect(after.keysBySelector).toBe(before.keysBySelector);
    expect(before.configsByKey.get("chat")!.canary).toBeNull(); // the snapshot it came from is untouched
  });

  it("drops a price or connection it asked for and did not find (deleted)", () => {
    const before = buildSnapshot({ ...rows("ver_a", null), prices: [{ model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: 2 }] }, new Date());
    const partial = { ...rows("ver_a", null), scope: scope({ models: ["m"] }), configs: [], seq: null };
    const after = buildSnapshot(partial, new Date(), before);
    expect(after.prices.size).toBe(0);
    expect(after.configsByKey).toBe(before.configsByKey);
    expect(() => buildSnapshot(partial, new Date(), null)).toThrow(/load everything first/);
  });
});
