import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/auth/api-key-service";
import { startGateway, type Gateway } from "@/lib/gateway/gateway";
import { createProvider, deleteProvider } from "@/lib/providers/connection-service";
import { waitFor } from "../helpers/client-api-server";
import { adminKey } from "../helpers/call";
import { startGatewayFixture, system, type GatewayFixture } from "../helpers/gateway-fixture";

// What goes wrong, and what the app sees: bad input gets OpenAI's error shape and records
// nothing; a provider's failure keeps its status (a timeout is a 504, a broken connection a 502
// naming it) and counts as an error of the version; a client that hangs up aborts the provider's
// call. (Rollback on those errors: gateway-rollback.test.ts; the database down: gateway-outage.test.ts.)

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
  await fx.config("chat");
});
afterAll(async () => {
  await fx?.close();
});

async function post(body: unknown, init: { auth?: string; raw?: string; path?: string; method?: string } = {}) {
  const response = await fetch(`${fx.srv.baseUrl}${init.path ?? "/v1/chat/completions"}`, {
    method: init.method ?? "POST",
    headers: { authorization: init.auth ?? fx.authorization, "content-type": "application/json" },
    body: init.method === "GET" ? undefined : (init.raw ?? JSON.stringify(body)),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { error: Record<string, unknown> } };
}

const hi = { model: "chat", user: "u-1", messages: [{ role: "user", content: "hi" }] };
const stats = () => fx.srv.gateway.recorder.stats();

describe("bad input", () => {
  it("gets OpenAI's error shape with a clear message, calls no provider and records nothing", async () => {
    const routeKey = await adminKey(fx.db.prisma, ["route", "metrics"]);
    await fx.config("elsewhere");
    const { key: otherConfigKey } = await createApiKey(fx.db.prisma, system, { name: "other configs", scopes: ["gateway"], configs: ["elsewhere"] });
    await fx.srv.gateway.recorder.flush();
    const [outcomesBefore, sentBefore, recordedBefore] = [await fx.db.prisma.outcome.count(), (await fx.providerRequests()).length, stats().delivered];
    const cases: [string, Promise<Awaited<ReturnType<typeof post>>>, number, Record<string, unknown>, RegExp][] = [
      ["unknown config", post({ ...hi, model: "nope" }), 404, { code: "not_found", param: "model", type: "not_found_error" }, /No config with key `nope`/],
      ["missing user", post({ ...hi, user: undefined }), 400, { code: "invalid_request", param: "user" }, /Name the end user as `user`/],
      ["bad role", post({ ...hi, messages: [{ role: "robot", content: "x" }] }), 400, { param: "messages.0.role" }, /^The `messages\.0\.role` field must be one of/],
      ["no key", post(hi, { auth: "" }), 401, { code: "unauthorized", type: "authentication_error" }, /Authorization: Bearer/],
      // Its last character changed (a key ending in "x" stayed valid when "x" was written over it).
      ["wrong key", post(hi, { auth: `${fx.authorization.slice(0, -1)}${fx.authorization.endsWith("x") ? "y" : "x"}` }), 401, { code: "unauthorized" }, /not valid/],
      ["key without the gateway scope", post(hi, { auth: routeKey }), 403, { code: "forbidden", type: "permission_error" }, /lacks the `gateway` scope/],
      ["key for other configs", post(hi, { auth: `Bearer ${otherConfigKey}` }), 403, { code: "forbidden", param: "model" }, /may not use config `chat`/],
      ["malformed JSON", post(null, { raw: '{"model": "chat",' }), 400, { code: "invalid_request", type: "invalid_request_error" }, /JSON/],
      ["oversize body", post(null, { raw: JSON.stringify({ ...hi, pad: "x".repeat(9 * 1024 * 1024) }) }), 413, { code: "payload_too_large" }, /larger than the limit/],
      ["wrong method", post(null, { method: "GET" }), 405, { code: "method_not_allowed" }, /Use POST/],
    ];
    for (const [what, answer, status, fields, message] of cases) {
      const { status: got, headers, body } = await answer;
      expect(got, what).toBe(status);
      expect(Object.keys(body.error).sort(), what).toEqual(["code", "message", "param", "type"]);
      expect(body.error, what).toMatchObject({ param: null, ...fields });
      expect(body.error.message, what).toMatch(message);
      expect(headers.get("x-request-id"), what).toMatch(/^req_/);
      expect(headers.get("x-canary-version"), what).toBeNull();
    }
    await fx.srv.gateway.recorder.flush();
    expect([await fx.db.prisma.outcome.count(), (await fx.providerRequests()).length, stats().delivered]).toEqual([outcomesBefore, sentBefore, recordedBefore]);
  });

  it("raises the official client's own error classes", async () => {
    await expect(fx.client.chat.completions.create({ model: "nope", user: "u", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const anonymous = new OpenAI({ baseURL: `${fx.srv.baseUrl}/v1`, apiKey: "lck_000000000000_00000000000000000000000000000000", maxRetries: 0 });
    await expect(anonymous.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe("provider failures, recorded as errors of the version", () => {
  const lastOutcome = async (answer: { headers: Headers }) => (await fx.outcomes([answer.headers.get("x-canary-request-id")!]))[0];

  it("keeps the provider's status in OpenAI's shape and names the connection", async () => {
    await fx.config("limited", { model: "error-429" });
    const answer = await post({ ...hi, model: "limited" });
    expect(answer.status).toBe(429);
    expect(answer.body.error).toMatchObject({ type: "rate_limit_error", code: "upstream_error", param: null });
    expect(answer.body.error.message).toBe('The provider connection "local" failed: The endpoint answered HTTP 429: The model error-429 fails on purpose with 429.');
    expect(answer.headers.get("x-canary-version")).not.toBeNull();
    expect(await lastOutcome(answer)).toMatchObject({ isError: true, errorType: "http_429" });
  });

  it("answers 502 naming what is missing or broken: no connection, a deleted one, a key the provider refuses (never shown)", async () => {
    await fx.config("unwired", { providerId: null });
    const gone = await createProvider(fx.db.prisma, system, { name: "gone", baseUrl: `${fx.provider.origin}/v1`, apiKey: "sk-gone-0123456789" });
    await fx.config("orphaned", { providerId: gone.id });
    await deleteProvider(fx.db.prisma, system, gone.id);
    const wrongKey = "sk-wrong-key-0123456789abcdef";
    const refused = await createProvider(fx.db.prisma, system, { name: "refused", baseUrl: `${fx.provider.origin}/v1`, apiKey: wrongKey });
    await fx.config("refused", { providerId: refused.id });
    await fx.srv.api.store.reload();
    const cases = [
      ["unwired", "provider_unavailable", /^Version v1 of config `unwired` names no provider connection/],
      ["orphaned", "provider_unavailable", new RegExp(`names the provider connection ${gone.id}, which does not exist`)],
      ["refused", "provider_rejected", /^The provider connection "refused" was refused by its endpoint \(The endpoint answered HTTP 401: Incorrect API key provided: \*\*\*\./],
    ] as const;
    for (const [config, code, message] of cases) {
      const answer = await post({ ...hi, model: config });
      expect(answer.status, config).toBe(502);
      expect(answer.body.error, config).toMatchObject({ type: "api_error", code });
      expect(answer.body.error.message, config).toMatch(message);
      expect(JSON.stringify(answer.body)).not.toContain(wrongKey);
      expect(await lastOutcome(answer), config).toMatchObject({ isError: true, errorType: config === "refused" ? "http_401" : code });
    }
  });

  it("answers 504 when the provider takes longer than the timeout, and ends a stalled stream with an error event", async () => {
    const quick = await gatewayWith({ timeoutMs: 300, idleTimeoutMs: 300 });
    try {
      await fx.config("stuck", { model: "hold-stuck" });
      const answer = await fetch(`${quick.url}/v1/chat/completions`, { method: "POST", headers: { authorization: fx.authorization, "content-type": "application/json" }, body: JSON.stringify({ ...hi, model: "stuck" }) });
      expect(answer.status).toBe(504);
      expect(((await answer.json()) as { error: unknown }).error).toMatchObject({ type: "api_error", code: "timeout" });

      const client = new OpenAI({ baseURL: `${quick.url}/v1`, apiKey: fx.authorization.replace("Bearer ", ""), maxRetries: 0 });
      const stream = await client.chat.completions.create({ ...hi, model: "stuck", stream: true, messages: [{ role: "user", content: "one two" }] }).withResponse();
      let text = "";
      const failed = await (async () => {
        for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? "";
      })().catch((error: unknown) => error);
      expect(text).toBe("Echo: "); // what arrived before the provider stalled reached the client
      expect(failed).toBeInstanceOf(OpenAI.APIError);
      expect((failed as Error).message).toMatch(/stalled in the middle of the stream/);
      await quick.gateway.recorder.flush();
      const [row] = await fx.db.prisma.outcome.findMany({ where: { requestId: stream.response.headers.get("x-canary-request-id")! } });
      expect(row).toMatchObject({ isError: true, errorType: "timeout" });
      expect(row.ttftMs).not.toBeNull();
    } finally {
      await fx.release("stuck");
      await quick.close();
    }
  });
});

describe("a client that hangs up mid-stream", () => {
  it("aborts the provider's call, and the outcome says client_closed without counting an error", async () => {
    await fx.config("abandoned", { model: "hold-abandoned" });
    const stream = await fx.client.chat.completions.create({ ...hi, model: "abandoned", stream: true, messages: [{ role: "user", content: "one two three" }] }).withResponse();
    const chunks = stream.data[Symbol.asyncIterator]();
    expect((await chunks.next()).done).toBe(false);
    const sent = (await fx.providerRequests()).length;
    stream.data.controller.abort();
    await waitFor(async () => (await fx.providerRequests())[sent - 1].closedEarly, 10_000);
    await fx.release("abandoned");
    const id = stream.response.headers.get("x-canary-request-id")!;
    await waitFor(async () => (await fx.outcomes([id])).length === 1, 10_000);
    expect((await fx.outcomes([id]))[0]).toMatchObject({ isError: false, errorType: "client_closed" });
  });
});

/** A second gateway on the fixture's snapshot and keys, with its own options, on a port of its own. */
async function gatewayWith(options: { timeoutMs: number; idleTimeoutMs: number }): Promise<{ url: string; gateway: Gateway; close(): Promise<void> }> {
  const gateway = startGateway(fx.db, { store: fx.srv.api.store, usage: fx.srv.api.usage, log: () => undefined, ...options });
  const server: Server = createServer((req, res) => void (gateway.handle(req, res) || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gateway,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.stop();
    },
  };
}
