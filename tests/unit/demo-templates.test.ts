import { describe, expect, it } from "vitest";
import { DEMO_CONFIGS } from "@/lib/demo/scenario";
import { llmSettingsDtoOf, llmSettingsOf } from "@/lib/release/llm-settings";
import { renderPrepared, prepareTemplate } from "@/lib/release/llm-template";
import { CreateVersionInput, type VersionDto } from "@/lib/release/version-schemas";
import { parseInput } from "@/lib/validation";

// The demo's versions are chat templates with variables, and every canary candidate the demo
// may start (each applied on top of the one before, as reruns of the demo do) is a version the
// server accepts.

const asVersion = (label: string, body: unknown): VersionDto => {
  const parsed = parseInput(CreateVersionInput, body);
  return { id: `ver_${label}`, configId: "cfg", label, authorLabel: "demo", parentVersionId: null, createdAt: new Date(), description: parsed.description, ...llmSettingsDtoOf(parsed) };
};

describe.each(DEMO_CONFIGS.map((c) => [c.key, c] as const))("%s", (_key, demo) => {
  it("starts from a multi-message template with variables, and each canary is accepted on top of the last", () => {
    let stable = asVersion("v1", { ...demo.stable, label: "v1" });
    expect(stable.messages.length).toBeGreaterThan(1);
    expect(stable.variables.map((v) => v.name)).toContain("question");
    demo.canaries.forEach((canary, i) => {
      const label = `v${i + 2}`;
      stable = asVersion(label, { ...llmSettingsOf(stable), ...canary(stable), label });
      expect(stable.variables.map((v) => v.name)).toContain("question");
    });
  });

  it("renders with the question the simulator sends", () => {
    const version = asVersion("v1", { ...demo.stable, label: "v1" });
    const result = renderPrepared(prepareTemplate(version), { question: "How do I add a domain?" });
    expect(result.ok && result.messages.some((m) => "content" in m && m.content.includes("How do I add a domain?"))).toBe(true);
    expect(JSON.stringify(result)).not.toContain("{{");
  });
});
