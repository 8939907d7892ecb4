import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabase } from "@/lib/db/client";
import type { Actor } from "@/lib/auth/actor";
import { chatThroughProvider, ProviderCallError, streamThroughProvider, type ChatCompletionChunk } from "@/lib/providers/chat-service";
import { createProvider } from "@/lib/providers/connection-service";
import { startProviderProcess, type ProviderProcess } from "../helpers/openai-compatible-process";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Chat completions through a stored connection, as the playground, evaluators and gateway call
// them, against the OpenAI-compatible test server in a process of its own.

const KEY = `sk-chat-${randomBytes(12).toString("hex")}`;
const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
let db: TestDatabase;
let provider: ProviderProcess;
let providerId: string;

beforeAll(async () => {
  process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = "127.0.0.1";
  db = await createTestDatabase();
  setDatabase(db);
  provider = await startProviderProcess({ apiKey: KEY });
  providerId = (await createProvider(db.prisma, system, { name: "local", baseUrl: `${provider.origin}/v1`, apiKey: KEY })).id;
});
afterAll(async () => {
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = "true";
  await provider?.stop();
  await db?.close();
});

const user = (content: string) => [{ role: "user", content }];

async function collect(chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe("chat completions through a connection", () => {
  it("answers whole, with usage", async () => {
    const completion = await chatThroughProvider(db.prisma, providerId, { model: "test-chat", messages: user("Hello there") });
    expect(completion.choices[0].message.content).toBe("Echo: Hello there");
    expect(completion.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3 });
  });

  it("streams text with the usage in the last chunk (asked for by default)", async () => {
    const chunks = await collect(streamThroughProvider(db.prisma, providerId, { model: "test-chat", messages: user("Hello there") }));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: Hello there");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } });
  });

  it("streams a tool call in pieces that add up to its arguments", async () => {
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { id: { type: "string" } } } } }];
    const chunks = await collect(streamThroughProvider(db.prisma, providerId, { model: "test-chat", tools, messages: user("find it") }));
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0].function?.name).toBe("lookup");
    expect(calls.map((c) => c.function?.arguments ?? "").join("")).toBe('{"id":"example"}');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe("tool_calls");
  });

  it("fails with the provider's status and words, whole and streamed", async () => {
    for (const call of [
      () => chatThroughProvider(db.prisma, providerId, { model: "error-429", messages: user("hi") }),
      () => collect(streamThroughProvider(db.prisma, providerId, { model: "error-429", messages: user("hi") })),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderCallError);
      expect(error).toMatchObject({ kind: "http_status", status: 429, message: "The endpoint answered HTTP 429: The model error-429 fails on purpose with 429." });
    }
  });

  it("times out when the answer does not come", async () => {
    const error = await chatThroughProvider(db.prisma, providerId, { model: "slow-5000", messages: user("hi") }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "timeout" });
  });

  it("hangs up when the caller stops reading", async () => {
    const stream = streamThroughProvider(db.prisma, providerId, { model: "test-chat", messages: user("one two three four five") });
    const first = await stream.next();
    expect(first.done).toBe(false);
    await stream.return(undefined);
    expect((await stream.next()).done).toBe(true);
  });
});
