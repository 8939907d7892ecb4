import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProviderProcess, type ProviderProcess } from "../helpers/openai-compatible-process";

// The test provider speaks the real wire format: the official `openai` client, which parses what
// OpenAI sends, reads its answers — whole and streamed, text and tool calls, usage, errors.

const KEY = "sk-test-wire-format-0123456789";
let provider: ProviderProcess;
let client: OpenAI;

beforeAll(async () => {
  provider = await startProviderProcess({ apiKey: KEY });
  client = new OpenAI({ baseURL: `${provider.origin}/v1`, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await provider?.stop();
});

describe("the OpenAI-compatible test server, read by the official client", () => {
  it("lists its models", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["test-chat", "test-chat-mini", "test-judge"]);
  });

  it("answers a chat completion whole, with usage, deterministically", async () => {
    const ask = () => client.chat.completions.create({ model: "test-chat", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Where is my order?" }] });
    const completion = await ask();
    expect(completion.choices[0].message).toMatchObject({ role: "assistant", content: "Echo: Where is my order?" });
    expect(completion.choices[0].finish_reason).toBe("stop");
    expect(completion.usage).toEqual({ prompt_tokens: 6, completion_tokens: 5, total_tokens: 11 });
    expect(await ask()).toEqual(completion);
  });

  it("cuts an answer at max_tokens with finish_reason length", async () => {
    const completion = await client.chat.completions.create({ model: "test-chat", max_tokens: 2, messages: [{ role: "user", content: "one two three" }] });
    expect(completion.choices[0]).toMatchObject({ finish_reason: "length", message: { content: "Echo: one" } });
  });

  it("streams server-sent chunks that add up to the same answer, then the usage chunk", async () => {
    const stream = await client.chat.completions.create({ model: "test-chat", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Where is my order?" }] });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: Where is my order?");
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 });
  });

  it("sends no usage chunk unless asked", async () => {
    const stream = await client.chat.completions.create({ model: "test-chat", stream: true, messages: [{ role: "user", content: "hi" }] });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => !c.usage)).toBe(true);
  });

  it("calls a tool, whole and streamed, and answers the tool's result with text", async () => {
    const tools = [{ type: "function" as const, function: { name: "lookup_order", parameters: { type: "object", properties: { order_id: { type: "string" }, limit: { type: "integer" } } } } }];
    const messages = [{ role: "user" as const, content: "Where is order 7?" }];
    const whole = await client.chat.completions.create({ model: "test-chat", tools, messages });
    expect(whole.choices[0].finish_reason).toBe("tool_calls");
    const [call] = whole.choices[0].message.tool_calls!;
    expect(call).toMatchObject({ type: "function", function: { name: "lookup_order", arguments: '{"order_id":"example","limit":1}' } });

    const stream = client.chat.completions.stream({ model: "test-chat", tools, messages });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message.tool_calls).toEqual(whole.choices[0].message.tool_calls);

    const after = await client.chat.completions.create({
      model: "test-chat",
      tools,
      messages: [...messages, whole.choices[0].message, { role: "tool", tool_call_id: call.id, content: "shipped" }],
    });
    expect(after.choices[0].message.content).toBe("Tool said: shipped");
  });

  it("fails in OpenAI's error shape: a status on demand, a wrong key, a bad request", async () => {
    const limited = await client.chat.completions.create({ model: "error-429", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited).toMatchObject({ status: 429, code: "rate_limit_exceeded", type: "rate_limit_error" });

    const wrongKey = new OpenAI({ baseURL: `${provider.origin}/v1`, apiKey: "sk-wrong-key", maxRetries: 0 });
    const refused = await wrongKey.models.list().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as Error).message).toContain("Incorrect API key provided");

    const bad = await client.chat.completions.create({ model: "test-chat", messages: [] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad).toMatchObject({ status: 400, param: "messages" });
  });

  it("answers slowly on demand, so a client's timeout fires", async () => {
    const impatient = new OpenAI({ baseURL: `${provider.origin}/v1`, apiKey: KEY, maxRetries: 0, timeout: 200 });
    const late = await impatient.chat.completions.create({ model: "slow-3000", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });
});
