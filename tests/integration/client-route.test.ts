import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollbackConfig } from "@/lib/analysis/rollout-actions";
import type { Actor } from "@/lib/auth/actor";
import { revokeApiKey } from "@/lib/auth/api-key-service";
import { generateApiKey, parseApiKey } from "@/lib/auth/api-keys";
import { insertApiKey } from "@/lib/auth/repo";
import { createConfig } from "@/lib/release/config-service";
import { route } from "@/lib/release/router";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, waitFor, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// /api/route over real HTTP, answered from the snapshot: the contract, every kind of bad input,
// and changes (rollback, key revocation) reaching the answers through LISTEN/NOTIFY alone (the
// polling fallback is set to a minute here).

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string, model: string) => ({ label, model, systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 256 });

let db: TestDatabase;
let srv: ClientApiServer;
let routeKey: string;
let metricsKey: string;
let stableId: string;
let canaryId: string;
let rolloutId: string;
let salt: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await createConfig(db.prisma, system, { key: "chat", name: "Chat" });
  await createConfig(db.prisma, system, { key: "empty", name: "No versions yet" });
  stableId = (await createVersion(db.prisma, system, "chat", version("v1", "gpt-4o"))).id;
  canaryId = (await createVersion(db.prisma, system, "chat", version("v2", "gpt-4o-mini"))).id;
  const rollout = await startRollout(db.prisma, system, "chat", {
    canaryVersionId: canaryId,
    stages: [{ percent: 30, minDurationSec: 60, minSamples: 10 }, { percent: 100, minDurationSec: 60, minSamples: 10 }],
  });
  rolloutId = rollout.id;
  salt = (await db.prisma.rollout.findUniqueOrThrow({ where: { id: rollout.id } })).salt;
  routeKey = await adminKey(db.prisma, ["route"]);
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

const ask = (userId: string, method: "GET" | "POST" = "POST", extra: Record<string, string> = {}) =>
  method === "GET"
    ? send(srv.baseUrl, `/api/route?${new URLSearchParams({ config: "chat", userId, ...extra })}`, { auth: routeKey })
    : send(srv.baseUrl, "/api/route", { auth: routeKey, body: { config: "chat", userId, ...extra } });

describe("POST and GET /api/route", () => {
  it("answers as the pure router decides, with the version's LLM settings, by GET and POST alike", async () => {
    const routing = { salt, percent: 30, sticky: true, include: [], exclude: [] };
    let canaries = 0;
    for (let i = 0; i < 200; i++) {
      const userId = `user-${i}`;
      const expected = route(userId, routing).variant;
      const answer = await ask(userId, i % 2 ? "GET" : "POST");
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        config: "chat",
        variant: expected,
        versionId: expected === "canary" ? canaryId : stableId,
        versionLabel: expected === "canary" ? "v2" : "v1",
        rolloutId,
        llm: { model: expected === "canary" ? "gpt-4o-mini" : "gpt-4o", temperature: 0.5, topP: 1, maxTokens: 256, retrievalStrategy: null, params: {} },
      });
      if (expected === "canary") canaries++;
    }
    expect(canaries).toBeGreaterThan(30); // 30 % of 200 users, give or take
    expect(canaries).toBeLessThan(90);
  });

  it("is sticky, and generates a request id unless the client sends one", async () => {
    const [a, b] = [await ask("sticky-user"), await ask("sticky-user", "GET")];
    expect(a.body.variant).toBe(b.body.variant);
    expect(a.body.requestId).toMatch(/^req_/);
    expect(a.body.requestId).not.toBe(b.body.requestId);
    expect(a.headers.get("x-request-id")).toBe(a.body.requestId);
    expect((await ask("sticky-user", "POST", { requestId: "my-own-id-1" })).body.requestId).toBe("my-own-id-1");
    expect(a.headers.get("x-canary-snapshot")).toBeNull(); // live: no staleness warning
  });

  it("refuses bad credentials with 401 and a key without the route scope with 403", async () => {
    const body = { config: "chat", userId: "u" };
    expect((await send(srv.baseUrl, "/api/route", { body })).status).toBe(401);
    expect((await send(srv.baseUrl, "/api/route", { body, auth: "Bearer not-a-key" })).body.error.message).toMatch(/malformed/);
    const wrongSecret = routeKey.replace(/.$/, (c) => (c === "a" ? "b" : "a"));
    expect((await send(srv.baseUrl, "/api/route", { body, auth: wrongSecret })).status).toBe(401);
    const forbidden = await send(srv.baseUrl, "/api/route", { body, auth: metricsKey });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toMatch(/`route` scope/);
  });

  it("answers bad input with a 4xx naming the field", async () => {
    const post = (init: Parameters<typeof send>[2]) => send(srv.baseUrl, "/api/route", { auth: routeKey, ...init });
    const cases: [Parameters<typeof send>[2], number, RegExp][] = [
      [{ body: { config: "chat" } }, 400, /`userId` field is required/],
      [{ body: { config: "Not A Slug", userId: "u" } }, 400, /`config` field must be 1-64 lower-case/],
      [{ body: { config: "chat", userId: "" } }, 400, /`userId` field must not be empty/],
      [{ body: { config: "chat", userId: "x".repeat(257) } }, 400, /`userId` field must be at most 256/],
      [{ body: { config: "chat", userId: 42 } }, 400, /`userId` field must be a string, not a number/],
      [{ body: { config: "chat", userId: "u", color: "red" } }, 400, /unknown field `color`/],
      [{ body: [1, 2] }, 400, /request body must be an object/],
      [{ raw: "{nope" }, 400, /not valid JSON/],
      [{ raw: "" , method: "POST" }, 400, /empty/],
      [{ raw: "config=chat&userId=u", contentType: "application/x-www-form-urlencoded" }, 415, /application\/json/],
      [{ raw: JSON.stringify({ config: "chat", userId: "x".repeat(70_000) }) }, 413, /limit of 64000 bytes/],
      [{ body: { config: "missing", userId: "u" } }, 404, /No config with key `missing`/],
      [{ body: { config: "empty", userId: "u" } }, 409, /`empty` has no version yet/],
      [{ method: "PUT", body: { config: "chat", userId: "u" } }, 405, /GET or POST/],
    ];
    for (const [init, status, message] of cases) {
      const answer = await post(init);
      expect({ init, status: answer.status, message: answer.body.error.message }).toMatchObject({ status, message: expect.stringMatching(message) });
      expect(answer.body.error.requestId).toMatch(/^req_/);
    }
    const get = await send(srv.baseUrl, "/api/route?config=chat", { auth: routeKey });
    expect(get.body.error).toMatchObject({ message: "The `userId` field is required.", details: [{ path: "userId", message: "is required" }] });
  });

  it("serves the routing state for local evaluation, with an ETag that changes with the config's revision", async () => {
    const state = await send(srv.baseUrl, "/api/routing-state?config=chat", { auth: routeKey });
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({
      config: "chat",
      stable: { versionId: stableId, versionLabel: "v1", llm: { model: "gpt-4o" } },
      canary: { versionId: canaryId, versionLabel: "v2", llm: { model: "gpt-4o-mini" } },
      rollout: { id: rolloutId, salt, percent: 30, sticky: true, include: [], exclude: [] },
    });
    for (const userId of ["a", "b", "c", "d", "e", "f"]) {
      expect(route(userId, state.body.rollout).variant).toBe((await ask(userId)).body.variant);
    }
    const etag = state.headers.get("etag")!;
    const again = await fetch(`${srv.baseUrl}/api/routing-state?config=chat`, { headers: { authorization: routeKey, "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await send(srv.baseUrl, "/api/routing-state?config=nope", { auth: routeKey })).status).toBe(404);
    expect((await send(srv.baseUrl, "/api/routing-state", { auth: routeKey })).body.error.message).toBe("The `config` field is required.");
    expect((await send(srv.baseUrl, "/api/routing-state?config=chat", { auth: metricsKey })).status).toBe(403);
  });

  it("finds a change whose notification it never got (the marker counts it) by catching up once on the miss", async () => {
    const generated = generateApiKey();
    const before = srv.api.store.loads.full;
    // A key made as the service makes it, with the change marker bumped, but no NOTIFY sent.
    await db.prisma.$transaction(async (tx) => {
      await insertApiKey(tx, { id: "key_silent", name: "silent", selector: generated.selector, secretHash: generated.secretHash, scopes: ["route"], configKeys: [], createdById: null, createdByLabel: "test" });
      await tx.$executeRaw`UPDATE change_marker SET seq = seq + 1`;
    });
    const answer = await send(srv.baseUrl, "/api/route", { auth: `Bearer ${generated.key}`, body: { config: "chat", userId: "u" } });
    expect(answer.status).toBe(200);
    expect(srv.api.store.loads.full).toBe(before + 1); // the missed change made it reload everything once
  });

  it("answers browsers' CORS preflights and exposes its headers to them", async () => {
    const preflight = await fetch(`${srv.baseUrl}/api/route`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    const answer = await fetch(`${srv.baseUrl}/api/route?config=chat&userId=u`, { headers: { authorization: routeKey, origin: "https://app.example.com" } });
    expect(answer.headers.get("access-control-allow-origin")).toBe("*");
    expect(answer.headers.get("access-control-expose-headers")).toMatch(/x-canary-snapshot/);
  });

  it("sends everyone to stable once a rollback commits, and refuses a revoked key, without polling", async () => {
    // Find a user on the canary first, so the change is visible.
    let canaryUser = "";
    for (let i = 0; !canaryUser; i++) if ((await ask(`probe-${i}`)).body.variant === "canary") canaryUser = `probe-${i}`;
    await rollbackConfig(db.prisma, system, "chat", { reason: "test" });
    const rollbackMs = await waitFor(async () => (await ask(canaryUser)).body.variant === "stable");
    const after = await ask(canaryUser);
    expect(after.body).toMatchObject({ variant: "stable", versionId: stableId, rolloutId: null });
    const state = await send(srv.baseUrl, "/api/routing-state?config=chat", { auth: routeKey });
    expect(state.body).toMatchObject({ canary: null, rollout: null });

    const selector = parseApiKey(routeKey.replace("Bearer ", ""))!.selector;
    const key = await db.prisma.apiKey.findUniqueOrThrow({ where: { selector } });
    await revokeApiKey(db.prisma, system, key.id);
    const revokeMs = await waitFor(async () => (await ask(canaryUser)).status === 401);
    expect((await ask(canaryUser)).body.error.message).toMatch(/has been revoked/); // known as revoked: answered at once, no reload
    console.info(`[client-route] rollback seen after ${rollbackMs.toFixed(1)} ms, revocation after ${revokeMs.toFixed(1)} ms`);
  });
});
