import { describe, expect, it } from "vitest";
import { errorAt, inputPathOf, versionRequestBody } from "@/lib/console/version-body";
import { EMPTY_VERSION_FORM, formFromVersion, type VersionForm, type VersionSource } from "@/lib/console/version-form";
import { CreateVersionInput } from "@/lib/release/version-schemas";

const source: VersionSource = {
  label: "v1.2.0",
  model: "gpt-4o-mini",
  provider: "openai",
  providerId: "prv_local",
  messages: [
    { role: "system", content: "You are helpful.\nBe brief." },
    { role: "placeholder", name: "history" },
    { role: "user", content: "Order {{order_id}}{{#note}} ({{note}}){{/note}}" },
  ],
  temperature: 0.3,
  topP: 0.9,
  maxTokens: 512,
  stop: ["\n\nUser:", "###"],
  seed: 42,
  tools: [{ name: "lookup_order", description: "Finds an order", parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } }],
  toolChoice: { name: "lookup_order" },
  responseFormat: { type: "json_schema", name: "answer", schema: { type: "object", properties: { text: { type: "string" } } }, strict: true },
  retrievalStrategy: { type: "hybrid", index: "docs", topK: 8, params: { alpha: 0.4 } },
  params: { presence_penalty: 0.2 },
  variables: [{ name: "order_id", description: "The order the user asks about" }, { name: "note", default: "" }],
};

const bodyOf = (form: VersionForm, parent: string | null = null) => {
  const result = versionRequestBody(form, parent);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result;
};

describe("the version editor's body", () => {
  it("edit as new: a version round-trips into a body the server accepts, every setting unchanged", () => {
    const { body } = bodyOf(formFromVersion(source, ["v1.2.0"]), "ver_parent");
    const parsed = CreateVersionInput.parse(body);
    expect(parsed).toEqual({ ...source, label: "v1.2.1", description: "", parentVersionId: "ver_parent" });
  });

  it("an empty form with a model is a valid first version: one system message, provider defaults", () => {
    const parsed = CreateVersionInput.parse(bodyOf({ ...EMPTY_VERSION_FORM, model: "m" }).body);
    expect(parsed).toMatchObject({ messages: [{ role: "system", content: "" }], provider: null, seed: null, stop: [], tools: [], toolChoice: null, responseFormat: null, retrievalStrategy: null });
  });

  it("sends only the variables the messages use, and only with something to say", () => {
    const form: VersionForm = {
      ...EMPTY_VERSION_FORM,
      model: "m",
      messages: [{ key: "m1", role: "user", content: "Hi {{name}}, about {{topic}}", name: "" }],
      variables: [
        { name: "name", default: "there", description: "", sample: "Ada" },
        { name: "topic", default: null, description: "", sample: "billing" },
        { name: "gone", default: "x", description: "typed, then removed from the message", sample: "" },
      ],
    };
    const { body, sent } = bodyOf(form);
    expect(body.variables).toEqual([{ name: "name", default: "there" }]);
    expect(sent.variables).toEqual(["name"]);
    expect(CreateVersionInput.parse(body).variables).toEqual([{ name: "name", default: "there" }, { name: "topic" }]);
  });

  it("stops JSON that does not parse before sending, naming each input", () => {
    const form = formFromVersion(source, []);
    form.params = "{oops";
    form.tools[0].parameters = "[1]";
    form.responseFormat.schema = "";
    const result = versionRequestBody(form, null);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((e) => e.path)).toEqual(["params", `tool:${form.tools[0].key}.parameters`]);
    expect(errors[0].message).toMatch(/^is not valid JSON: .*\(line 1, column 2\)$/);
    expect(errors[1].message).toBe('must be a JSON object, like {"type": "object", "properties": {}}');
  });

  it("passes text that is not a number through so the server names the field", () => {
    const parsed = CreateVersionInput.safeParse(bodyOf({ ...EMPTY_VERSION_FORM, model: "m", temperature: "hot", seed: "1.5" }).body);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join("."))).toEqual(["temperature", "seed"]);
  });

  it("writes stop sequences from their escapes and the tool choice from its menu value", () => {
    const form = { ...formFromVersion(source, []), stop: ["\\n\\nUser:", "a\\\\nb"], toolChoice: "required" };
    expect(form.stop).toEqual(["\\n\\nUser:", "a\\\\nb"]);
    const { body } = bodyOf(form);
    expect(body.stop).toEqual(["\n\nUser:", "a\\nb"]);
    expect(body.toolChoice).toBe("required");
    expect(bodyOf({ ...form, toolChoice: "" }).body.toolChoice).toBeNull();
  });
});

describe("the server's paths on the form's inputs", () => {
  const sent = { messages: ["m4", "m2", "m9"], tools: ["t3"], variables: ["customer"] };

  it("names list items by their card, so a message follows the card when cards move", () => {
    expect(inputPathOf("messages.2.content", sent)).toBe("message:m9.content");
    expect(inputPathOf("messages.0", sent)).toBe("message:m4");
    expect(inputPathOf("tools.0.parameters.properties.email.type", sent)).toBe("tool:t3.parameters.properties.email.type");
    expect(inputPathOf("variables.0.default", sent)).toBe("variable:customer.default");
    expect(inputPathOf("temperature", sent)).toBe("temperature");
    expect(inputPathOf("messages", sent)).toBe("messages");
    // An index the body did not have stays as the server wrote it.
    expect(inputPathOf("messages.7.content", sent)).toBe("messages.7.content");
  });

  it("shows an error inside an input with the rest of its path", () => {
    const errors = [
      { path: "tool:t3.parameters.properties.email.type", message: "must be one of object, array" },
      { path: "message:m9.content", message: "has `{{` at line 1, column 5 with no `}}` after it" },
    ];
    expect(errorAt(errors, "tool:t3.parameters")).toBe("`properties.email.type` must be one of object, array");
    expect(errorAt(errors, "message:m9.content")).toBe("has `{{` at line 1, column 5 with no `}}` after it");
    expect(errorAt(errors, "message:m9")).toBe("`content` has `{{` at line 1, column 5 with no `}}` after it");
    expect(errorAt(errors, "tool:t")).toBeUndefined();
  });
});
