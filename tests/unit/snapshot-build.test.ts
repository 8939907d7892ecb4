import { describe, expect, it } from "vitest";
import { LlmSettings } from "@/lib/release/llm-settings";
import type { SnapshotRows } from "@/lib/snapshot/repo";
import { buildSnapshot } from "@/lib/snapshot/snapshot";

// A version never changes, so a rebuilt snapshot keeps the entries (parsed template, serialized
// answer parts) of the versions it already had and prepares only new ones.

const llm = LlmSettings.parse({ model: "gpt-4o", messages: [{ role: "user", content: "Hi {{name}}" }], temperature: 0.2, maxTokens: 100 });
const version = (id: string) => ({ id, label: id, ...llm });

function rows(stableVersionId: string, canaryVersionId: string | null): SnapshotRows {
  return {
    configs: [{ id: "cfg_1", key: "chat", revision: 1, canaryPercent: 0, stableVersionId, canaryVersionId, activeRolloutId: null }],
    liveVersions: [stableVersionId, canaryVersionId].filter((id) => id !== null).map(version),
    activeRollouts: [],
    rolloutSpans: [],
    versions: [],
    prices: [],
    scoreDefinitions: [],
    apiKeys: [],
    fingerprint: "f",
  } as unknown as SnapshotRows;
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
