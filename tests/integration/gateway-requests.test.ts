import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { startGatewayFixture, system, type GatewayFixture } from "../helpers/gateway-fixture";

// What the gateway sends the provider: the version's rendered messages and settings combined with
// the client's request by the documented rules (README, "Gateway"), and the config's settings for
// overrides and samples, changed through the admin service and heard by the snapshot.

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

const lastSent = async () => (await fx.providerRequests()).at(-1)!.body;

async function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${fx.srv.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: fx.authorization, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { error: Record<string, unknown> } };
}

describe("the request the gateway builds", () => {
  it("renders the version's template with the client's variables, from the body or X-Canary-Variables (the body's win)", async () => {
    await fx.config("templated", {
      messages: [
        { role: "system", content: "You help {{customer}} with {{product}}." },
        { role: "placeholder", name: "history" },
        { role: "user", content: "Answer in {{language}}." },
      ],
      variables: [{ name: "language", default: "English" }],
    });
    const header = { "x-canary-variables": JSON.stringify({ customer: "Ada", product: "Acme" }) };
    const answer = await post({ model: "templated", user: "u", variables: { product: "Acme Cloud" }, messages: [{ role: "user", content: "Hi" }] }, header);
    expect(answer.status).toBe(200);
    expect((await lastSent()).messages).toEqual([
      { role: "system", content: "You help Ada with Acme Cloud." },
      { role: "user", content: "Hi" },
      { role: "user", content: "Answer in English." },
    ]);
  });

  it("refuses a call that leaves a required variable out, naming it, before any provider call", async () => {
    const before = (await fx.providerRequests()).length;
    const answer = await post({ model: "templated", user: "u", messages: [{ role: "user", content: "Hi" }] });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_request", param: "variables.customer" });
    expect((await fx.providerRequests()).length).toBe(before);
  });

  it("keeps the version's parameters over the client's and says which it ignored; with overrides allowed, the client's win", async () => {
    await fx.config("tuned");
    const body = { model: "tuned", user: "u", temperature: 1.4, max_completion_tokens: 5, presence_penalty: 0.3, response_format: { type: "json_object" }, messages: [{ role: "user", content: "Hi" }] };
    const kept = await post(body);
    expect(kept.headers.get("x-canary-ignored")).toBe("temperature, max_completion_tokens");
    expect(await lastSent()).toMatchObject({ model: "test-chat", temperature: 0.3, max_tokens: 64, presence_penalty: 0.3, response_format: { type: "json_object" } });

    await updateConfig(fx.db.prisma, system, "tuned", { gatewayClientOverrides: true });
    await fx.srv.api.store.reload();
    const overridden = await post(body);
    expect(overridden.headers.get("x-canary-ignored")).toBeNull();
    const sent = await lastSent();
    expect(sent).toMatchObject({ model: "test-chat", temperature: 1.4, max_completion_tokens: 5 });
    expect(sent).not.toHaveProperty("max_tokens");
    expect(sent).not.toHaveProperty("variables");
  });

  it("routes by X-Canary-User over the body's `user`", async () => {
    await fx.config("users");
    const canary = await createVersion(fx.db.prisma, system, "users", { label: "v2", model: "test-chat", providerId: fx.providerId, systemPrompt: "v2", temperature: 0.3, maxTokens: 64 });
    await startRollout(fx.db.prisma, system, "users", { canaryVersionId: canary.id, stages: [{ percent: 50, minDurationSec: 60, minSamples: 10 }, { percent: 100, minDurationSec: 60, minSamples: 10 }] });
    await fx.srv.api.store.reload();
    const versionOf = async (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      (await post({ model: "users", messages: [{ role: "user", content: "Hi" }], ...body }, headers)).headers.get("x-canary-version");
    const byUser = new Map<string, string | null>();
    for (let i = 0; new Set(byUser.values()).size < 2; i++) byUser.set(`user-${i}`, await versionOf({ user: `user-${i}` }));
    const [a, versionA] = [...byUser][0];
    const [b, versionB] = [...byUser].find(([, version]) => version !== versionA)!;
    expect(await versionOf({ user: a }, { "x-canary-user": b })).toBe(versionB);
    expect(await versionOf({}, { "x-canary-user": a })).toBe(versionA);
    expect((await lastSent()).user).toBeUndefined(); // the client's own field goes on only as sent
  });
});

describe("samples, by the config's sample policy", () => {
  it("keeps no input or output with `none` or (for a call that went well) `errors_and_low_ratings`, and every call's with `all`", async () => {
    await fx.config("sampled");
    const ask = async () => {
      const { response } = await fx.client.chat.completions.create({ model: "sampled", user: "u", messages: [{ role: "user", content: "What is\u0000 new?" }] }).withResponse();
      return response.headers.get("x-canary-request-id")!;
    };
    const policy = async (samplePolicy: unknown) => {
      await updateConfig(fx.db.prisma, system, "sampled", { samplePolicy });
      await fx.srv.api.store.reload();
    };
    await policy({ keep: "none" });
    const unsampled = await ask();
    await policy({ keep: "errors_and_low_ratings" });
    const fine = await ask();
    expect((await fx.outcomes([fine]))[0]).toMatchObject({ isError: false, input: null, output: null });
    await policy({ keep: "all" });
    const sampled = await ask();
    const stream = await fx.client.chat.completions.create({ model: "sampled", user: "u", stream: true, messages: [{ role: "system", content: "x" }, { role: "user", content: "Stream it" }] }).withResponse();
    for await (const chunk of stream.data) void chunk;
    const ids = [unsampled, sampled, stream.response.headers.get("x-canary-request-id")!];
    const rows = await fx.outcomes(ids);
    const [a, b, c] = ids.map((id) => rows.find((row) => row.requestId === id)!);
    expect([a.input, a.output]).toEqual([null, null]);
    // A NUL the database cannot store becomes U+FFFD in the sample; the call itself went through.
    expect([b.input, b.output]).toEqual(["What is\ufffd new?", "Echo: What is\ufffd new?"]);
    expect([c.input, c.output]).toEqual(["system: x\nuser: Stream it", "Echo: Stream it"]);
  });
});
