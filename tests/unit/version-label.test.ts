import { describe, expect, it } from "vitest";
import { emptyVersionForm, formFromVersion } from "@/lib/console/version-form";
import { FIRST_LABEL, newVersionLabel, nextLabel } from "@/lib/release/version-label";

describe("nextLabel", () => {
  it("bumps the trailing number, skipping taken labels", () => {
    expect(nextLabel("v1.2.0", [])).toBe("v1.2.1");
    expect(nextLabel("v3", ["v4", "v5"])).toBe("v6");
    expect(nextLabel("prompt-a", [])).toBe("prompt-a-2");
  });
});

describe("newVersionLabel", () => {
  it("offers v1 only to a config without versions", () => {
    expect(newVersionLabel([])).toBe(FIRST_LABEL);
    expect(FIRST_LABEL).toBe("v1");
  });

  it("counts on from the latest label (listed newest first), past any label taken", () => {
    expect(newVersionLabel(["v1.3.0", "v1.2.0"])).toBe("v1.3.1");
    expect(newVersionLabel(["v2", "v1"])).toBe("v3");
    expect(newVersionLabel(["v2", "v3", "v1"])).toBe("v4"); // v3 exists (made before v2 was): skipped
    expect(newVersionLabel(["beta", "v1"])).toBe("beta-2");
  });
});

describe("the version editor's first label", () => {
  it("an empty form for a config with versions is labelled after the latest, not v1", () => {
    expect(emptyVersionForm([]).label).toBe("v1");
    expect(emptyVersionForm(["v1.3.0", "v1"]).label).toBe("v1.3.1");
    expect(emptyVersionForm(["v2", "v1"]).label).toBe("v3");
  });

  it("a form from a version is labelled after that version", () => {
    const source = { label: "v2", model: "m", provider: null, providerId: null, messages: [{ role: "system" as const, content: "" }], temperature: 0.7, topP: 1, maxTokens: 100, stop: [], seed: null, tools: [], toolChoice: null, responseFormat: null, retrievalStrategy: null, params: {}, variables: [] };
    expect(formFromVersion(source, ["v3", "v2", "v1"]).label).toBe("v4");
  });
});
