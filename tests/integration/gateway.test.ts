import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/auth/api-key-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send } from "../helpers/client-api-server";
import { PRICE, startGatewayFixture, system, type GatewayFixture } from "../helpers/gateway-fixture";

// The gateway in front of the OpenAI-compatible test provider, called with the official `openai`
// client as an app would: whole and streamed answers, tool calls, sticky routing that agrees with
// /api/route, and the outcomes it records. (Precedence rules: gateway-requests.test.ts; failures:
// gateway-failures.test.ts.)

let fx: GatewayFixture;
let chat: { stableId: string; canaryId: string; rolloutId: string };

beforeAll(async () => {
  fx = await startGatewayFixture();
  const { versionId: stableId } = await fx.config("chat");
  const canary = await createVersion(fx.db.prisma, system, "chat", { label: "v2", model: "test-chat", providerId: fx.providerId, systemPrompt: "You answer for chat, v2.", temperature: 0.3, maxTokens: 64 });
  const stages = [{ percent: 50, minDurationSec: 3600, minSamples: 1000 }, { percent: 100, minDurationSec: 3600, minSamples: 1000 }];
  const rollout = await startRollout(fx.db.prisma, system, "chat", { canaryVersionId: canary.id, stages });
  await fx.srv.api.store.reload();
  chat = { stableId, canaryId: canary.id, rolloutId: rollout.id };
});
afterAll(async () => {
  await fx?.close();
});

const ask = (content: string) => [{ role: "user" as const, content }];

describe("the gateway, called with the official OpenAI client", () => {
  it("answers a whole chat completion from the user's version, and says which one served it", async () => {
    const { data, response } = await fx.client.chat.completions.create({ model: "chat", user: "user-1", messages: ask("Hello there") }).withResponse();
    expect(data.choices[0].message.content).toBe("Echo: Hello there");
    const versionId = response.headers.get("x-canary-version");
    expect([chat.stableId, chat.canaryId]).toContain(versionId);
    expect(response.headers.get("x-canary-variant")).toBe(versionId === chat.canaryId ? "canary" : "stable");
    expect(response.headers.get("x-canary-request-id")).toMatch(/^req_/);
    expect(response.headers.get("x-request-id")).toBe(response.headers.get("x-canary-request-id"));

    // The provider got the version's system prompt before the client's message, and its settings.
    const sent = (await fx.providerRequests()).at(-1)!;
    const prompt = versionId === chat.canaryId ? "You answer for chat, v2." : "You answer for chat.";
    expect(sent.body).toMatchObject({ model: "test-chat", temperature: 0.3, max_tokens: 64, stream: false, user: "user-1" });
    expect(sent.body.messages).toEqual([{ role: "system", content: prompt }, { role: "user", content: "Hello there" }]);
    expect(sent.headers.authorization).toBe(`Bearer ${fx.providerKey}`);
  });

  it("accepts canary/<config> as the model name too", async () => {
    const completion = await fx.client.chat.completions.create({ model: "canary/chat", user: "user-1", messages: ask("hi") });
    expect(completion.choices[0].message.content).toBe("Echo: hi");
  });

  it("relays a stream chunk by chunk: the first chunks arrive while the provider still holds the rest", async () => {
    await fx.config("held-stream", { model: "hold-stream-1" });
    const stream = await fx.client.chat.completions.create({ model: "held-stream", user: "u", stream: true, messages: ask("one two three four") });
    const chunks = stream[Symbol.asyncIterator]();
    let text = "";
    // The provider sends its first word, then waits for /_release: these chunks cannot be buffered.
    while (!text.includes("Echo:")) text += (await chunks.next()).value!.choices[0]?.delta.content ?? "";
    expect(text).toBe("Echo: ");
    await fx.release("stream-1");
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) text += next.value.choices[0]?.delta.content ?? "";
    expect(text).toBe("Echo: one two three four");
  });

  it("asks the provider for usage on every stream and drops that chunk unless the client asked for it", async () => {
    const collect = async (includeUsage: boolean) => {
      const stream = await fx.client.chat.completions.create({ model: "chat", user: "user-2", stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}), messages: ask("count me") });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };
    const without = await collect(false);
    expect(without.filter((c) => c.usage)).toEqual([]);
    expect(without.at(-1)!.choices[0].finish_reason).toBe("stop");
    const withUsage = await collect(true);
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: 3 } });
    const sent = (await fx.providerRequests()).slice(-2);
    expect(sent.map((r) => r.body.stream_options)).toEqual([{ include_usage: true }, { include_usage: true }]);
  });

  it("passes tool calls through, whole and streamed, with the version's tools", async () => {
    const tools = [{ name: "lookup_order", description: "Find an order", parameters: { type: "object", properties: { id: { type: "string" } } } }];
    await fx.config("tools", { tools });
    const whole = await fx.client.chat.completions.create({ model: "tools", user: "u", messages: ask("where is order 7?") });
    expect(whole.choices[0].finish_reason).toBe("tool_calls");
    expect(whole.choices[0].message.tool_calls).toEqual([{ id: "call_lookup_order", type: "function", function: { name: "lookup_order", arguments: '{"id":"example"}' } }]);
    expect((await fx.providerRequests()).at(-1)!.body.tools).toEqual([{ type: "function", function: tools[0] }]);

    const stream = await fx.client.chat.completions.create({ model: "tools", user: "u", stream: true, messages: ask("where is order 7?") });
    const pieces: string[] = [];
    for await (const chunk of stream) for (const call of chunk.choices[0]?.delta.tool_calls ?? []) pieces.push(call.function?.arguments ?? "");
    expect(pieces.join("")).toBe('{"id":"example"}');
    expect(pieces.length).toBeGreaterThan(1);
  });

  it("routes each user to the same version every time, as /api/route does", async () => {
    const routeKey = await adminKey(fx.db.prisma, ["route"]);
    const seen = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const { response } = await fx.client.chat.completions.create({ model: "chat", user: `sticky-${i}`, messages: ask("hi") }).withResponse();
          const versions = seen.get(`sticky-${i}`) ?? new Set();
          versions.add(response.headers.get("x-canary-version")!);
          seen.set(`sticky-${i}`, versions);
        }),
      );
    }
    for (const [user, versions] of seen) {
      expect(versions.size, user).toBe(1);
      const routed = await send(fx.srv.baseUrl, "/api/route", { auth: routeKey, body: { config: "chat", userId: user } });
      expect([...versions][0], user).toBe(routed.body.versionId);
    }
    // At 50 %, twenty users do not all land on one side (2 in a million).
    expect(new Set([...seen.values()].map((v) => [...v][0])).size).toBe(2);
  });

  it("records each call's outcome: its version and rollout, tokens, cost from the price table, time to first token", async () => {
    const whole = await fx.client.chat.completions.create({ model: "chat", user: "recorded-1", messages: ask("three words here") }).withResponse();
    const stream = await fx.client.chat.completions.create({ model: "chat", user: "recorded-2", stream: true, stream_options: { include_usage: true }, messages: ask("four words right here") }).withResponse();
    let usage = null;
    for await (const chunk of stream.data) usage = chunk.usage ?? usage;
    const ids = [whole.response, stream.response].map((r) => r.headers.get("x-canary-request-id")!);
    const rows = await fx.outcomes(ids);
    const [a, b] = ids.map((id) => rows.find((row) => row.requestId === id)!);
    for (const [row, answer, tokens] of [[a, whole.response, whole.data.usage], [b, stream.response, usage]] as const) {
      expect(row).toMatchObject({
        versionId: answer.headers.get("x-canary-version"),
        variant: answer.headers.get("x-canary-variant"),
        rolloutId: chat.rolloutId,
        isError: false,
        errorType: null,
        inputTokens: tokens!.prompt_tokens,
        outputTokens: tokens!.completion_tokens,
      });
      // A new config's sample policy keeps every sample (gateway-requests.test.ts tries the others).
      expect(row.output).toMatch(/^Echo: /);
      const cost = (tokens!.prompt_tokens * PRICE.inputUsdPerMillion + tokens!.completion_tokens * PRICE.outputUsdPerMillion) / 1e6;
      expect(row.costUsd).toBeCloseTo(cost, 12);
      expect(row.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(a.ttftMs).toBeNull(); // a whole answer has no first token of its own
    expect(b.ttftMs).not.toBeNull();
    expect(b.ttftMs!).toBeLessThanOrEqual(b.latencyMs);
  });

  it("lists the configs the key may use as models", async () => {
    const ids: string[] = [];
    for await (const model of fx.client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(["chat", "tools", "held-stream"]));
    expect(ids).toEqual([...ids].sort());
  });

  it("retrieves one config as a model, by its key or as canary/<key>, and only one the key may use", async () => {
    const model = await fx.client.models.retrieve("chat");
    const listed = [];
    for await (const m of fx.client.models.list()) listed.push(m);
    expect(model).toEqual(listed.find((m) => m.id === "chat"));
    expect(model).toMatchObject({ id: "chat", object: "model", owned_by: "llm-canary", created: expect.any(Number) });
    // The client sends the slash encoded (%2F); a raw one names the same config.
    expect((await fx.client.models.retrieve("canary/chat")).id).toBe("chat");
    const raw = await fetch(`${fx.srv.baseUrl}/v1/models/canary/chat`, { headers: { authorization: fx.authorization } });
    expect(((await raw.json()) as { id: string }).id).toBe("chat");

    await expect(fx.client.models.retrieve("nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const { key: otherKey } = await createApiKey(fx.db.prisma, system, { name: "other configs", scopes: ["gateway"], configs: ["tools"] });
    const other = new OpenAI({ baseURL: `${fx.srv.baseUrl}/v1`, apiKey: otherKey, maxRetries: 0 });
    await expect(other.models.retrieve("tools")).resolves.toMatchObject({ id: "tools" });
    // A config the key is not limited to: refused as a chat completion naming it would be.
    await expect(other.models.retrieve("chat")).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    const missing = await fetch(`${fx.srv.baseUrl}/v1/models/nope`, { headers: { authorization: fx.authorization } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { message: "No config `nope` with a version to call; GET /v1/models lists them.", type: "not_found_error", code: "not_found", param: "model" } });
    const posted = await fetch(`${fx.srv.baseUrl}/v1/models/chat`, { method: "POST", headers: { authorization: fx.authorization } });
    expect(posted.status).toBe(405);
  });
});
