import { describe, expect, it } from "vitest";
import { EMPTY_VERSION_FORM, formFromVersion, nextLabel, versionRequestBody } from "@/lib/console/version-form";
import { CreateVersionInput } from "@/lib/release/version-schemas";

const source = {
  label: "v1.2.0",
  model: "gpt-4o-mini",
  systemPrompt: "You are helpful.\nBe brief.",
  temperature: 0.3,
  topP: 0.9,
  maxTokens: 512,
  retrievalStrategy: { type: "hybrid", index: "docs", topK: 8, params: { alpha: 0.4 } },
  params: { presence_penalty: 0.2 },
};

describe("nextLabel", () => {
  it("bumps the trailing number, skipping taken labels", () => {
    expect(nextLabel("v1.2.0", [])).toBe("v1.2.1");
    expect(nextLabel("v3", ["v4", "v5"])).toBe("v6");
    expect(nextLabel("prompt-a", [])).toBe("prompt-a-2");
  });
});

describe("the version editor's body", () => {
  it("round-trips a version into a body the server accepts unchanged", () => {
    const result = versionRequestBody(formFromVersion(source, ["v1.2.0"]), "ver_parent");
    expect(result.ok).toBe(true);
    const parsed = CreateVersionInput.parse(result.ok ? result.body : null);
    const { systemPrompt, ...settings } = source;
    expect(parsed).toMatchObject({ ...settings, messages: [{ role: "system", content: systemPrompt }], label: "v1.2.1", parentVersionId: "ver_parent" });
  });

  it("sends no retrieval strategy when retrieval is off", () => {
    const result = versionRequestBody({ ...EMPTY_VERSION_FORM, model: "m" }, null);
    expect(result.ok && result.body.retrievalStrategy).toBeNull();
  });

  it("refuses params that are not a JSON object before sending", () => {
    expect(versionRequestBody({ ...EMPTY_VERSION_FORM, params: "{oops" }, null)).toMatchObject({ ok: false, field: "params" });
    expect(versionRequestBody({ ...EMPTY_VERSION_FORM, params: "[1]" }, null)).toMatchObject({ ok: false, field: "params" });
  });

  it("passes text that is not a number through so the server names the field", () => {
    const result = versionRequestBody({ ...EMPTY_VERSION_FORM, model: "m", temperature: "hot" }, null);
    const parsed = CreateVersionInput.safeParse(result.ok ? result.body : null);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path).toEqual(["temperature"]);
  });
});
