import { describe, expect, it } from "vitest";
import { chatRequestOf, placeClientMessages, versionChatParams } from "@/lib/release/chat-request";
import { LlmSettings, type TemplateMessage } from "@/lib/release/llm-settings";

// A version as an OpenAI request, and the precedence between the version and a gateway client.

const settings = (extra: Record<string, unknown> = {}) =>
  LlmSettings.parse({ model: "gpt-4o", messages: [{ role: "system", content: "Be brief." }], temperature: 0.2, maxTokens: 300, ...extra });

describe("versionChatParams", () => {
  it("sends the sampling parameters always, and the other fields only when the version sets them", () => {
    expect(versionChatParams(settings())).toEqual({ temperature: 0.2, top_p: 1, max_tokens: 300 });
  });

  it("writes tools, tool choice, response format, stop and seed in OpenAI's shapes, and the extra params beside them", () => {
    const llm = settings({
      tools: [{ name: "lookup", description: "Find it", parameters: { type: "object", properties: { id: { type: "string" } } } }],
      toolChoice: { name: "lookup" },
      responseFormat: { type: "json_schema", name: "answer", schema: { type: "object", properties: {} }, strict: true },
      stop: ["\n\n"],
      seed: 7,
      params: { presence_penalty: 0.5, temperature: 1.5, stream: true, model: "other" },
    });
    expect(versionChatParams(llm)).toEqual({
      presence_penalty: 0.5,
      temperature: 0.2, // the version's own field wins over the same key among its extra params
      top_p: 1,
      max_tokens: 300,
      stop: ["\n\n"],
      seed: 7,
      tools: [{ type: "function", function: { name: "lookup", description: "Find it", parameters: { type: "object", properties: { id: { type: "string" } } } } }],
      tool_choice: { type: "function", function: { name: "lookup" } },
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object", properties: {} }, strict: true } },
    });
    expect(versionChatParams(settings({ toolChoice: "none", responseFormat: { type: "json_object" } }))).toMatchObject({ tool_choice: "none", response_format: { type: "json_object" } });
  });
});

describe("placeClientMessages", () => {
  const system: TemplateMessage = { role: "system", content: "Be brief." };
  const question: TemplateMessage = { role: "user", content: "Summarize." };
  const client = [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }];

  it("puts the client's messages after the version's when it has no placeholder", () => {
    expect(placeClientMessages([system], client)).toEqual([system, ...client]);
  });

  it("puts them in place of the first history placeholder and drops the others", () => {
    const rendered: TemplateMessage[] = [system, { role: "placeholder", name: "history" }, question, { role: "placeholder", name: "more" }];
    expect(placeClientMessages(rendered, client)).toEqual([system, ...client, question]);
  });
});

describe("chatRequestOf", () => {
  const llm = settings({ tools: [{ name: "lookup" }] });
  const client = {
    model: "support-chat",
    messages: [{ role: "user", content: "Hi" }],
    user: "u-1",
    variables: { name: "Ada" },
    stream: true,
    temperature: 1.1,
    max_completion_tokens: 50,
    tools: [{ type: "function", function: { name: "mine" } }],
    logprobs: true,
    response_format: { type: "json_object" },
  };

  it("keeps the version's settings over the client's by default, naming the client's fields it ignored", () => {
    const { body, ignored } = chatRequestOf(llm, llm.messages, client, false);
    expect(body).toEqual({
      model: "gpt-4o",
      messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
      temperature: 0.2,
      top_p: 1,
      max_tokens: 300,
      tools: [{ type: "function", function: { name: "lookup", description: "", parameters: { type: "object", properties: {} } } }],
      user: "u-1",
      logprobs: true,
      response_format: { type: "json_object" }, // the version sets none: the client's passes
    });
    expect(ignored).toEqual(["temperature", "max_completion_tokens", "tools"]);
  });

  it("lets the client's settings win when the config allows overrides, but never the model", () => {
    const { body, ignored } = chatRequestOf(llm, llm.messages, client, true);
    expect(body).toMatchObject({ model: "gpt-4o", temperature: 1.1, max_completion_tokens: 50, top_p: 1, tools: client.tools, logprobs: true });
    expect(body).not.toHaveProperty("max_tokens"); // replaced by the client's name for it
    expect(body).not.toHaveProperty("variables");
    expect(body).not.toHaveProperty("stream");
    expect(ignored).toEqual([]);
  });

  it("never lets a client's __proto__ field reach the request's prototype", () => {
    const hostile = JSON.parse('{"model":"x","messages":[],"__proto__":{"polluted":true}}') as typeof client;
    const { body } = chatRequestOf(llm, llm.messages, hostile, true);
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(JSON.stringify(body)).not.toContain("polluted");
  });
});
