import { describe, expect, it } from "vitest";
import { chatRequestOf } from "@/lib/release/chat-request";
import { LlmSettings } from "@/lib/release/llm-settings";

// A version's settings as an OpenAI chat-completions body: what the playground (and later the
// evaluators and the gateway) send to a provider.

const settings = (fields: Record<string, unknown> = {}) =>
  LlmSettings.parse({ model: "gpt-4o-mini", messages: [{ role: "system", content: "Be brief." }], temperature: 0.3, maxTokens: 100, ...fields });

describe("chatRequestOf", () => {
  it("sends the sampling settings, and only the optional ones the version sets", () => {
    expect(chatRequestOf(settings(), [{ role: "system", content: "Be brief." }])).toEqual({
      model: "gpt-4o-mini",
      messages: [{ role: "system", content: "Be brief." }],
      temperature: 0.3,
      top_p: 1,
      max_tokens: 100,
    });
  });

  it("drops history placeholders, appends the extra messages, and never lets params replace a field the version sets", () => {
    const llm = settings({ params: { presence_penalty: 0.5, model: "other", temperature: 2 }, stop: ["\n"], seed: 7 });
    const body = chatRequestOf(llm, [{ role: "system", content: "Hi" }, { role: "placeholder", name: "history" }], [{ role: "user", content: "Q" }]);
    expect(body).toEqual({ presence_penalty: 0.5, model: "gpt-4o-mini", temperature: 0.3, top_p: 1, max_tokens: 100, stop: ["\n"], seed: 7, messages: [{ role: "system", content: "Hi" }, { role: "user", content: "Q" }] });
  });

  it("writes tools, the tool choice and the response format in the OpenAI shape", () => {
    const parameters = { type: "object", properties: { id: { type: "string" } } };
    const schema = { type: "object", properties: { answer: { type: "string" } } };
    const llm = settings({ tools: [{ name: "lookup", description: "Find it", parameters }], toolChoice: { name: "lookup" }, responseFormat: { type: "json_schema", name: "reply", schema, strict: true } });
    expect(chatRequestOf(llm, [])).toMatchObject({
      tools: [{ type: "function", function: { name: "lookup", description: "Find it", parameters } }],
      tool_choice: { type: "function", function: { name: "lookup" } },
      response_format: { type: "json_schema", json_schema: { name: "reply", schema, strict: true } },
    });
    expect(chatRequestOf(settings({ tools: [{ name: "lookup" }], toolChoice: "required", responseFormat: { type: "json_object" } }), [])).toMatchObject({ tool_choice: "required", response_format: { type: "json_object" } });
  });
});
