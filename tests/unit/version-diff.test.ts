import { describe, expect, it } from "vitest";
import { diffVersions } from "@/lib/release/version-diff";

const base = {
  id: "ver_a",
  label: "v1",
  model: "gpt-4o",
  systemPrompt: "You are a support agent.\nBe brief.\nCite sources.\n",
  temperature: 0.7,
  topP: 1,
  maxTokens: 1024,
  retrievalStrategy: { type: "vector", topK: 5 },
  params: { seed: 1 },
  description: "",
};

describe("version diff", () => {
  it("names each changed setting with before → after", () => {
    const diff = diffVersions(base, { ...base, id: "ver_b", label: "v2", model: "gpt-4o-2026-05", temperature: 0.5 });
    expect(diff.changes.map((c) => c.summary)).toEqual(["model gpt-4o → gpt-4o-2026-05", "temperature 0.7 → 0.5"]);
    expect(diff.prompt.changed).toBe(false);
    expect(diff.from).toEqual({ id: "ver_a", label: "v1" });
  });

  it("gives a line diff of the system prompt", () => {
    const diff = diffVersions(base, { ...base, systemPrompt: "You are a support agent.\nBe brief and kind.\nCite sources.\n" });
    expect(diff.prompt).toMatchObject({ changed: true, added: 1, removed: 1 });
    expect(diff.prompt.lines).toEqual([
      { op: "same", text: "You are a support agent." },
      { op: "removed", text: "Be brief." },
      { op: "added", text: "Be brief and kind." },
      { op: "same", text: "Cite sources." },
    ]);
    expect(diff.changes.map((c) => c.summary)).toEqual(["systemPrompt +1 −1 lines"]);
  });

  it("compares structured settings by content, not key order", () => {
    const same = diffVersions(base, { ...base, retrievalStrategy: { topK: 5, type: "vector" } as typeof base.retrievalStrategy });
    expect(same.changes).toEqual([]);
    const changed = diffVersions(base, { ...base, retrievalStrategy: null, params: { seed: 2 } });
    expect(changed.changes.map((c) => c.summary)).toEqual([
      'retrievalStrategy {"topK":5,"type":"vector"} → none',
      'params {"seed":1} → {"seed":2}',
    ]);
  });

  it("finds nothing between a version and itself", () => {
    expect(diffVersions(base, base).changes).toEqual([]);
  });
});
