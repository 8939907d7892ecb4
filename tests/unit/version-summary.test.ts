import { describe, expect, it } from "vitest";
import { changesByPart, codeSpans, responseFormatWords, retrievalWords, schemaProperties, stopWords, toolChoiceWords, versionVariables } from "@/lib/console/version-summary";

describe("a JSON Schema's properties as rows", () => {
  it("lists the top-level properties in order, with type, required-ness and description", () => {
    const schema = {
      type: "object",
      properties: {
        email: { type: "string", description: "The customer's address" },
        tags: { type: "array", items: { type: "string" } },
        size: { enum: ["small", "large"] },
        note: { type: ["string", "null"] },
        ref: { $ref: "#/$defs/order" },
        either: { anyOf: [{ type: "integer" }, { type: "boolean" }] },
        anything: {},
        never: false,
      },
      required: ["email", "size"],
    };
    expect(schemaProperties(schema)).toEqual([
      { name: "email", type: "string", required: true, description: "The customer's address" },
      { name: "tags", type: "array of string", required: false, description: "" },
      { name: "size", type: "one of: small, large", required: true, description: "" },
      { name: "note", type: "string | null", required: false, description: "" },
      { name: "ref", type: "see #/$defs/order", required: false, description: "" },
      { name: "either", type: "integer | boolean", required: false, description: "" },
      { name: "anything", type: "any", required: false, description: "" },
      { name: "never", type: "none", required: false, description: "" },
    ]);
    expect(schemaProperties({ type: "object" })).toEqual([]);
  });
});

describe("a version's variables", () => {
  it("are the ones its messages use, required outside sections, with the declared defaults and descriptions", () => {
    const variables = versionVariables({
      messages: [
        { role: "system", content: "Help {{company}}.{{#tier}} Tier {{tier}}.{{/tier}}" },
        { role: "placeholder", name: "history" },
        { role: "user", content: "{{question}}" },
      ],
      variables: [{ name: "company", default: "Acme" }, { name: "question", description: "What they asked" }],
    });
    expect(variables).toEqual([
      { name: "company", required: true, default: "Acme", description: "" },
      { name: "tier", required: false, default: null, description: "" },
      { name: "question", required: true, default: null, description: "What they asked" },
    ]);
  });
});

describe("settings in words", () => {
  it("says the tool choice, response format, retrieval and stop sequences", () => {
    expect(toolChoiceWords(null)).toBe("the provider's default");
    expect(toolChoiceWords("required")).toBe("required: some tool");
    expect(toolChoiceWords({ name: "lookup_order" })).toBe("always `lookup_order`");
    expect(responseFormatWords({ type: "json_schema", name: "answer", schema: { type: "object" }, strict: true })).toBe("JSON matching the schema `answer` (strict)");
    expect(responseFormatWords({ type: "json_object" })).toBe("a JSON object (any)");
    expect(retrievalWords({ type: "hybrid", index: "docs", topK: 8, minScore: 0.5 })).toBe("hybrid, on index `docs`, top 8, min score 0.5");
    expect(retrievalWords(null)).toBe("none");
    expect(stopWords(["\n\nUser:", "###"])).toBe("`\\n\\nUser:` `###`");
    expect(stopWords([])).toBe("none");
  });

  it("cuts backticked names out of a sentence", () => {
    expect(codeSpans("tool `lookup_order` gained required parameter `email`")).toEqual([
      { text: "tool ", code: false },
      { text: "lookup_order", code: true },
      { text: " gained required parameter ", code: false },
      { text: "email", code: true },
    ]);
  });
});

describe("the diff's changes", () => {
  it("are grouped by part, the template's parts first, keeping the server's order inside a part", () => {
    const changes = [
      { part: "settings", summary: "model a → b" },
      { part: "messages", summary: "message 1 changed" },
      { part: "settings", summary: "temperature 0.7 → 0.3" },
      { part: "tools", summary: "tool `x` added" },
      { part: "messages", summary: "message 2 added" },
    ] as const;
    expect(changesByPart(changes).map((c) => c.summary)).toEqual([
      "message 1 changed",
      "message 2 added",
      "tool `x` added",
      "model a → b",
      "temperature 0.7 → 0.3",
    ]);
  });
});
