import { describe, expect, it } from "vitest";
import { editsOf, initialColumns, newVersionBody, runBody, variableInputs, type PlaygroundVersion } from "@/lib/console/playground-form";
import { LlmSettings } from "@/lib/release/llm-settings";

// The playground form's columns, the variables they need, and the bodies it sends.

const version = (id: string, fields: Record<string, unknown> = {}): PlaygroundVersion => ({
  id,
  label: id.replace("ver_", ""),
  ...LlmSettings.parse({ model: "gpt-4o-mini", providerId: "prv_a", messages: [{ role: "system", content: "Help with {{product}}." }, { role: "placeholder", name: "history" }], temperature: 0.5, maxTokens: 100, ...fields }),
});
const v1 = version("ver_v1", { variables: [{ name: "product", default: "Acme" }] });
const v2 = version("ver_v2", { messages: [{ role: "system", content: "For {{product}}{{#tier}}, tier {{tier}}{{/tier}}; ask {{customer}}." }] });
const versions = [v2, v1]; // newest first, as the API lists them

describe("the playground form", () => {
  it("starts with stable and the newest other version", () => {
    expect(initialColumns(versions, "ver_v1").map((c) => c.versionId)).toEqual(["ver_v1", "ver_v2"]);
    expect(initialColumns([v1], "ver_v1").map((c) => c.versionId)).toEqual(["ver_v1"]);
  });

  it("asks for each variable once: required only where no column gives a default", () => {
    const columns = initialColumns(versions, "ver_v1");
    expect(variableInputs(columns, versions)).toEqual([
      { name: "product", required: true, default: "Acme" },
      { name: "tier", required: false, default: null },
      { name: "customer", required: true, default: null },
    ]);
    expect(variableInputs([columns[0]], versions)).toEqual([{ name: "product", required: false, default: "Acme" }]);
  });

  it("sends saved versions by id, edits as settings based on their version, and leaves empty variables to the defaults", () => {
    const [first, second] = initialColumns(versions, "ver_v1");
    const edits = { ...editsOf(v1), temperature: "0.9x", messages: [{ role: "system" as const, content: "No variables now." }] };
    const body = runBody([first, { ...second, versionId: "ver_v1", providerId: "prv_b", edits }], versions, { product: "", customer: "Ann", stale: "x" }, "Hi");
    expect(body).toEqual({
      columns: [
        { versionId: "ver_v1" },
        { settings: expect.objectContaining({ model: "gpt-4o-mini", temperature: "0.9x", maxTokens: 100, messages: edits.messages, variables: [], providerId: "prv_a" }), basedOnVersionId: "ver_v1", providerId: "prv_b" },
      ],
      variables: {},
      userMessage: "Hi",
    });
  });

  it("saves a column as a new version: its settings, the connection picked, the label, and its version as the parent", () => {
    const column = { key: "c1", versionId: "ver_v1", providerId: "prv_b", edits: { ...editsOf(v1), model: "gpt-4o" } };
    expect(newVersionBody(column, v1, " v3 ", "Tried in the playground")).toMatchObject({ label: "v3", model: "gpt-4o", providerId: "prv_b", parentVersionId: "ver_v1", description: "Tried in the playground", variables: [{ name: "product", default: "Acme" }] });
  });
});
