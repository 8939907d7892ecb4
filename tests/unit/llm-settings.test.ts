import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { checkJsonSchema } from "@/lib/release/json-schema-check";
import { LLM_LIMITS } from "@/lib/release/llm-settings";
import { systemPromptOf } from "@/lib/release/llm-template";
import { CreateVersionInput } from "@/lib/release/version-schemas";
import { parseInput } from "@/lib/validation";

const base = { label: "v2", model: "gpt-4o", temperature: 0.5, maxTokens: 512 };
const messages = [
  { role: "system", content: "You are a support agent for {{product}}." },
  { role: "placeholder", name: "history" },
  { role: "user", content: "{{question}}" },
];
const lookupOrder = {
  name: "lookup_order",
  description: "Find an order",
  parameters: { type: "object", properties: { orderId: { type: "string" }, email: { type: "string", format: "email" } }, required: ["orderId"] },
};

function problem(input: unknown): { message: string; paths: string[] } {
  try {
    parseInput(CreateVersionInput, input);
  } catch (error) {
    if (error instanceof ValidationError) return { message: error.message, paths: (error.details ?? []).map((d) => d.path) };
    throw error;
  }
  throw new Error("expected a validation error");
}

describe("version settings", () => {
  it("turns a systemPrompt alone (the first API) into one system message", () => {
    const parsed = parseInput(CreateVersionInput, { ...base, systemPrompt: "Be brief." });
    expect(parsed.messages).toEqual([{ role: "system", content: "Be brief." }]);
    expect(parsed).not.toHaveProperty("systemPrompt");
    expect(parsed).toMatchObject({ provider: null, stop: [], seed: null, tools: [], toolChoice: null, responseFormat: null, variables: [], topP: 1 });
  });

  it("keeps a whole chat template with tools and a response schema", () => {
    const body = {
      ...base,
      provider: "openai",
      messages,
      stop: ["\n\nUser:"],
      seed: 42,
      tools: [lookupOrder],
      toolChoice: { name: "lookup_order" },
      responseFormat: { type: "json_schema", name: "answer", schema: { type: "object", properties: { text: { type: "string" } }, required: ["text"], additionalProperties: false }, strict: true },
    };
    const parsed = parseInput(CreateVersionInput, body);
    expect(parsed.messages).toEqual(messages);
    expect(parsed.tools).toEqual([lookupOrder]);
    expect(systemPromptOf(parsed.messages)).toBe("You are a support agent for {{product}}.");
  });

  it("answers systemPrompt as the first system message, empty when there is none", () => {
    expect(systemPromptOf([{ role: "user", content: "hi" }, { role: "system", content: "late" }, { role: "system", content: "later" }])).toBe("late");
    expect(systemPromptOf([{ role: "user", content: "hi" }])).toBe("");
  });

  it.each([
    [{ ...base, systemPrompt: "a", messages }, "systemPrompt", "The `systemPrompt` field cannot be sent with `messages`; put the system prompt in `messages` as a system message."],
    [base, "messages", "The `messages` field is required (or, as before, `systemPrompt`)."],
    [{ ...base, messages: [] }, "messages", "The `messages` field must hold at least one message."],
    [{ ...base, messages: [messages[0], { role: "tool", content: "x" }] }, "messages.1.role", "The `messages.1.role` field must be one of system, developer, user, assistant, placeholder."],
    [{ ...base, messages: [messages[0], messages[2], { role: "user", content: "x".repeat(LLM_LIMITS.messageChars + 1) }] }, "messages.2.content", "The `messages.2.content` field must be at most 100000 characters."],
    [{ ...base, messages: Array.from({ length: 101 }, () => messages[2]) }, "messages", "The `messages` field must hold at most 100 messages."],
    [{ ...base, messages: [{ role: "user", content: "x".repeat(100_000) }, { role: "user", content: "x".repeat(100_000) }, { role: "user", content: "x" }] }, "messages", "The `messages` field must be at most 200000 characters in all; they are 200001."],
    [{ ...base, messages: [messages[1], messages[1]] }, "messages.1.name", "The `messages.1.name` field repeats the placeholder `history`."],
    [{ ...base, messages: [{ role: "user", content: "x", name: "bob" }] }, "messages.0", "The `messages.0` field has unknown field `name`."],
    [{ ...base, messages, tools: [{ ...lookupOrder, parameters: { type: "object", properties: [] } }] }, "tools.0.parameters.properties", "The `tools.0.parameters.properties` field must be an object whose values are schemas."],
    [{ ...base, messages, tools: [{ ...lookupOrder, parameters: { type: "array" } }] }, "tools.0.parameters", 'The `tools.0.parameters` field must be a JSON Schema object with `"type": "object"`.'],
    [{ ...base, messages, tools: [{ ...lookupOrder, parameters: { type: "object", properties: { a: { type: "text" } } } }] }, "tools.0.parameters.properties.a.type", "The `tools.0.parameters.properties.a.type` field must be one of object, array, string, number, integer, boolean, null (or a non-empty array of them)."],
    [{ ...base, messages, tools: [{ ...lookupOrder, parameters: { ...lookupOrder.parameters, required: ["orderId", "mail"] } }] }, "tools.0.parameters.required.1", "The `tools.0.parameters.required.1` field names `mail`, which `properties` does not define."],
    [{ ...base, messages, tools: [lookupOrder, lookupOrder] }, "tools.1.name", "The `tools.1.name` field repeats the tool name `lookup_order`."],
    [{ ...base, messages, tools: [{ ...lookupOrder, name: "look up" }] }, "tools.0.name", "The `tools.0.name` field must be 1-64 letters, digits, underscores or hyphens, like lookup_order."],
    [{ ...base, messages, tools: Array.from({ length: 33 }, (_, i) => ({ ...lookupOrder, name: `t${i}` })) }, "tools", "The `tools` field must hold at most 32 tools."],
    [{ ...base, messages, tools: [{ ...lookupOrder, parameters: { type: "object", description: "x".repeat(LLM_LIMITS.schemaBytes) } }] }, "tools.0.parameters", "The `tools.0.parameters` field must be at most 16384 bytes as JSON."],
    [{ ...base, messages, toolChoice: { name: "nope" }, tools: [lookupOrder] }, "toolChoice.name", "The `toolChoice.name` field names `nope`, which is not one of the tools."],
    [{ ...base, messages, toolChoice: "required" }, "toolChoice", "The `toolChoice` field is `required`, but there are no tools."],
    [{ ...base, messages, responseFormat: { type: "xml" } }, "responseFormat.type", "The `responseFormat.type` field must be one of text, json_object, json_schema."],
    [{ ...base, messages, responseFormat: { type: "json_schema", name: "a", schema: { type: "object", properties: { n: { $ref: "#/$defs/missing" } } } } }, "responseFormat.schema.properties.n.$ref", "The `responseFormat.schema.properties.n.$ref` field points at `#/$defs/missing`, which is not in this schema."],
    [{ ...base, messages, stop: ["a", ""] }, "stop.1", "The `stop.1` field must not be empty."],
    [{ ...base, messages, seed: 1.5 }, "seed", "The `seed` field must be a whole number."],
    [{ ...base, messages, variables: [{ name: "customer name" }] }, "variables.0.name", "The `variables.0.name` field must be a letter or underscore, then letters, digits or underscores, like customer_name."],
  ])("refuses %#: %s", (input, path, message) => {
    const found = problem(input);
    expect(found.paths[0]).toBe(path);
    expect(found.message).toBe(message);
  });
});

describe("JSON Schema check", () => {
  it("accepts the shapes OpenAI function parameters use", () => {
    const schema = {
      type: "object",
      properties: {
        items: { type: "array", items: { $ref: "#/$defs/item" }, minItems: 1 },
        mode: { enum: ["fast", "slow"] },
        note: { type: ["string", "null"], maxLength: 200, pattern: "^[a-z]+$" },
        nested: { anyOf: [{ type: "string" }, { type: "object", properties: {}, additionalProperties: false }] },
      },
      required: ["items"],
      additionalProperties: false,
      $defs: { item: { type: "object", properties: { sku: { type: "string" } }, required: ["sku"] } },
    };
    expect(checkJsonSchema(schema, { rootObject: true })).toEqual([]);
  });

  it.each([
    [{ type: "object", properties: { a: { items: [{ type: "string" }] } } }, ["properties", "a", "items"], "must be one schema (draft 2020-12); list a tuple's schemas in `prefixItems`"],
    [{ type: "object", properties: { a: { pattern: "(" } } }, ["properties", "a", "pattern"], "must be a valid regular expression"],
    [{ type: "object", properties: { a: { minLength: -1 } } }, ["properties", "a", "minLength"], "must be a whole number, 0 or more"],
    [{ type: "object", anyOf: [] }, ["anyOf"], "must be a non-empty array of schemas"],
    [{ type: "object", properties: { a: 5 } }, ["properties", "a"], "must be a schema (an object, or true or false)"],
    [{ type: "object", required: ["a", "a"], properties: { a: {} } }, ["required", 1], "repeats `a`"],
    [{ type: "object", properties: { a: { $ref: "https://example.com/s.json" } } }, ["properties", "a", "$ref"], "must point inside this schema (`#/$defs/…`); external schemas are not fetched"],
  ])("finds %#", (schema, path, message) => {
    expect(checkJsonSchema(schema, { rootObject: true })[0]).toEqual({ path, message });
  });
});

describe("variables of a version", () => {
  it("are the ones its messages use, in order of first use, with the defaults and descriptions the request gave", () => {
    const parsed = parseInput(CreateVersionInput, {
      ...base,
      messages: [...messages, { role: "assistant", content: "{{#tone}}Tone: {{tone}}{{/tone}} {{product}}" }],
      variables: [{ name: "question", description: "what the user asked" }, { name: "product", default: "Acme" }],
    });
    expect(parsed.variables).toEqual([
      { name: "product", default: "Acme" },
      { name: "question", description: "what the user asked" },
      { name: "tone" },
    ]);
  });

  it("detects them in an old-style systemPrompt too", () => {
    expect(parseInput(CreateVersionInput, { ...base, systemPrompt: "Hi {{name}}" }).variables).toEqual([{ name: "name" }]);
  });

  it.each([
    [{ ...base, messages, variables: [{ name: "product" }, { name: "colour" }] }, "variables.1.name", "The `variables.1.name` field names `colour`, which no message uses."],
    [{ ...base, messages: [messages[0], { role: "user", content: "{{#a}}x" }] }, "messages.1.content", "The `messages.1.content` field "],
    [{ ...base, systemPrompt: "Hi {{name" }, "systemPrompt", "The `systemPrompt` field has `{{`"],
  ])("refuses %#: %s", (input, path, message) => {
    const found = problem(input);
    expect(found.paths[0]).toBe(path);
    expect(found.message.startsWith(message)).toBe(true);
  });
});

describe("JSON Schema check, with keys named like Object.prototype's", () => {
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])("takes a property or keyword named %s as data", (key) => {
    const schema = JSON.parse(`{"type":"object","properties":{"a":{"type":"string","${key}":1}},"${key}":{"x":1}}`);
    expect(checkJsonSchema(schema, { rootObject: true })).toEqual([]);
  });
});
