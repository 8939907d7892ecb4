import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rollbackConfig } from "@/lib/analysis/rollout-actions";
import { createClient, type CanaryError } from "@/lib/sdk/client";
import { adminKey } from "../helpers/call";
import { startClientApiServer, waitFor } from "../helpers/client-api-server";
import { fallbackLlm, recordingFetch, REQUEST_ID, startSdkFixture, system, withoutIds, type SdkFixture } from "../helpers/sdk-fixture";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// SDK routing against the real client API over real HTTP and a real database: parity with the
// server (remote and local, with 304 revalidation and changes picked up), the server's refusals,
// and the stale and default fallbacks when the server is gone.

let db: TestDatabase;
let fx: SdkFixture;

beforeAll(async () => {
  db = await createTestDatabase();
  fx = await startSdkFixture(db);
});
afterAll(async () => {
  await fx?.close();
  await db?.close();
});
afterEach(() => fx.closeClients());

describe("route()", () => {
  it("remotely answers exactly what the server answers, and throws the server's refusals", async () => {
    const { client } = fx.sdk();
    const variants = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const answer = await client.route("chat", `remote-${i}`);
      expect(answer).toEqual({ ...(await fx.serverRoute("chat", `remote-${i}`)), requestId: expect.stringMatching(REQUEST_ID), source: "server" });
      variants.add(answer.variant);
    }
    expect(variants).toEqual(new Set(["stable", "canary"]));
    expect((await client.route("chat", "u", { requestId: "my-own-id" })).requestId).toBe("my-own-id");
    await expect(client.route("missing", "u")).rejects.toMatchObject({ name: "CanaryError", code: "not_found", status: 404 });
    await expect(client.route("empty", "u")).rejects.toMatchObject({ code: "conflict", status: 409 });
    await expect(client.route("chat", "")).rejects.toMatchObject({ code: "invalid_request" });
    const forbidden = createClient({ baseUrl: fx.srv.baseUrl, apiKey: (await adminKey(db.prisma, ["metrics"])).slice(7), flushOnExit: false });
    await fx.srv.api.store.reload(); // the new key reaches the snapshot
    await expect(forbidden.route("chat", "u")).rejects.toMatchObject({ code: "forbidden", status: 403 });
    await forbidden.close();
  });

  it("locally gives every user the server's variant and version, revalidating with 304 until something changes", async () => {
    const recorder = recordingFetch();
    const { client, errors } = fx.sdk({ fetch: recorder.fetch, localEvaluation: { configs: ["chat", "beta"], refreshMs: 20 } });
    await client.ready();
    for (let i = 0; i < 300; i++) {
      const answer = await client.route("chat", `local-${i}`);
      expect(answer).toEqual({ ...(await fx.serverRoute("chat", `local-${i}`)), requestId: expect.stringMatching(REQUEST_ID), source: "local" });
    }
    // Any other config is fetched on its first route().
    expect(await client.route("search", "someone")).toEqual({ ...(await fx.serverRoute("search", "someone")), requestId: expect.stringMatching(REQUEST_ID), source: "local" });
    await expect(client.route("empty", "u")).rejects.toMatchObject({ status: 409 });
    expect(recorder.statuses("/api/route")).toEqual([]);

    await waitFor(async () => recorder.statuses("/api/routing-state", "?config=chat").length >= 4);
    const chat = recorder.statuses("/api/routing-state", "?config=chat");
    expect(chat).toEqual([200, ...chat.slice(1).map(() => 304)]);

    let canaryUser = "";
    for (let i = 0; !canaryUser; i++) if ((await client.route("beta", `beta-${i}`)).variant === "canary") canaryUser = `beta-${i}`;
    await rollbackConfig(db.prisma, system, "beta", { reason: "test" });
    await fx.srv.api.store.reload();
    await waitFor(async () => (await client.route("beta", canaryUser)).variant === "stable");
    expect(await client.route("beta", canaryUser)).toMatchObject({ rolloutId: null, versionLabel: "b1", source: "local" });
    const beta = recorder.statuses("/api/routing-state", "?config=beta");
    expect(beta.filter((s) => s === 200)).toHaveLength(2); // the first fetch and the change; 304 in between
    expect(beta.filter((s) => s !== 200 && s !== 304)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("keeps serving the last state when the server goes away, and the default when nothing was ever fetched", async () => {
    const own = await startClientApiServer(db);
    const local = fx.sdk({ baseUrl: own.baseUrl, localEvaluation: { configs: ["chat"], refreshMs: 20 }, defaults: { chat: fallbackLlm } });
    const remote = fx.sdk({ baseUrl: own.baseUrl, defaults: { chat: fallbackLlm } });
    await local.client.ready();
    const users = Array.from({ length: 40 }, (_, i) => `down-${i}`);
    const before = await Promise.all(users.map((u) => local.client.route("chat", u)));
    expect(new Set(before.map((a) => a.source))).toEqual(new Set(["local"]));
    const stableUser = users[before.findIndex((a) => a.variant === "stable")];
    expect(await remote.client.route("chat", stableUser)).toMatchObject({ source: "server", variant: "stable" });

    await own.close();
    await waitFor(async () => local.errors.some((e) => e.code === "network_error"));
    const after = await Promise.all(users.map((u) => local.client.route("chat", u)));
    expect(after.map(withoutIds)).toEqual(before.map(withoutIds));
    expect(new Set(after.map((a) => a.source))).toEqual(new Set(["stale"]));

    // Remote routing falls back to the last stable answer: without the server a user's variant is unknown.
    const canaryUser = users[before.findIndex((a) => a.variant === "canary")];
    expect(await remote.client.route("chat", canaryUser)).toMatchObject({ source: "stale", variant: "stable", versionId: fx.chatStable, requestId: expect.stringMatching(REQUEST_ID) });
    expect(remote.errors.map((e) => e.code)).toEqual(["network_error"]);
    await expect(remote.client.route("search", "u")).rejects.toMatchObject({ code: "unavailable" });

    const fresh = fx.sdk({ baseUrl: own.baseUrl, localEvaluation: { configs: ["chat"] }, defaults: { chat: fallbackLlm } });
    expect(await fresh.client.route("chat", "u")).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      config: "chat",
      variant: "stable",
      versionId: null,
      versionLabel: null,
      rolloutId: null,
      // A default written before messages: its systemPrompt is one system message, the rest as the server fills it.
      llm: {
        ...fallbackLlm,
        messages: [{ role: "system", content: fallbackLlm.systemPrompt }],
        provider: null,
        providerId: null,
        topP: 1,
        stop: [],
        seed: null,
        tools: [],
        toolChoice: null,
        responseFormat: null,
        retrievalStrategy: null,
        params: {},
        variables: [],
      },
      source: "default",
    });
    const error = await fresh.client.route("search", "u").catch((e: CanaryError) => e);
    expect(error).toMatchObject({ code: "unavailable", message: expect.stringMatching(/`defaults` has no entry/) });
  });
});
