import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/admin/configs/route";
import { GET as getConfig, PATCH } from "@/app/api/admin/configs/[key]/route";
import { GET as health } from "@/app/api/health/route";
import { createApiKey } from "@/lib/auth/api-key-service";
import { setDatabase } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Route handlers called with real Requests against a real database.

let db: TestDatabase;
let adminKey: string;
let clientKey: string;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  const cli = { type: "system", id: null, label: "test", scopes: [] } as const;
  adminKey = (await createApiKey(db.prisma, cli, { name: "admin", scopes: ["admin"] })).key;
  clientKey = (await createApiKey(db.prisma, cli, { name: "client", scopes: ["route", "metrics"] })).key;
});
afterAll(async () => {
  await db?.close();
});

const ctx = { params: Promise.resolve({}) };

function post(body: string, headers: Record<string, string> = {}) {
  return new Request("http://test/api/admin/configs", {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json", ...headers },
    body,
  });
}

describe("POST /api/admin/configs", () => {
  it("creates a config (201), lists it, and audits who did it", async () => {
    const res = await POST(post(JSON.stringify({ key: "support-chat", name: "Support chat" })), ctx);
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({ key: "support-chat", name: "Support chat", stableVersion: null, activeRollout: null, revision: 0 });
    expect(created.id).toMatch(/^cfg_/);

    const list = await GET(new Request("http://test/api/admin/configs", { headers: { authorization: `Bearer ${adminKey}` } }), ctx);
    expect(list.status).toBe(200);
    expect((await list.json()).configs.map((c: { key: string }) => c.key)).toContain("support-chat");

    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { entityId: created.id } });
    expect(audit).toMatchObject({ action: "config.create", actorType: "api_key", actorLabel: "key:admin" });
  });

  it("answers 409 for a key that exists", async () => {
    await POST(post(JSON.stringify({ key: "dup", name: "One" })), ctx);
    const res = await POST(post(JSON.stringify({ key: "dup", name: "Two" })), ctx);
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: "conflict", message: "A config with key `dup` already exists." });
  });

  it.each([
    ["a bad key", JSON.stringify({ key: "Not OK", name: "x" }), "key"],
    ["a missing name", JSON.stringify({ key: "ok" }), "name"],
    ["a wrong type", JSON.stringify({ key: 42, name: "x" }), "key"],
  ])("answers 400 naming the field for %s, and stores nothing", async (_what, body, field) => {
    const before = await db.prisma.config.count();
    const res = await POST(post(body), ctx);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("invalid_request");
    expect(error.message).toContain(`\`${field}\``);
    expect(error.details[0].path).toBe(field);
    expect(error.requestId).toMatch(/^req_/);
    expect(await db.prisma.config.count()).toBe(before);
  });

  it("answers 400 for broken JSON, 415 for another content type and 413 for a huge body", async () => {
    expect((await POST(post("{"), ctx)).status).toBe(400);
    expect((await POST(post("{}", { "content-type": "text/plain" }), ctx)).status).toBe(415);
    const huge = JSON.stringify({ key: "big", name: "x", description: "x".repeat(1_100_000) });
    expect((await POST(post(huge), ctx)).status).toBe(413);
    expect(await db.prisma.config.count({ where: { key: "big" } })).toBe(0);
  });

  it("answers 401 for a bad key and 403 for a key without the admin scope", async () => {
    const bad = await POST(post("{}", { authorization: "Bearer lck_000000000000_00000000000000000000000000000000" }), ctx);
    expect(bad.status).toBe(401);
    const malformed = await POST(post("{}", { authorization: "Bearer nope" }), ctx);
    expect(malformed.status).toBe(401);
    const noScope = await POST(post(JSON.stringify({ key: "x1", name: "x" }), { authorization: `Bearer ${clientKey}` }), ctx);
    expect(noScope.status).toBe(403);
    expect((await noScope.json()).error.message).toContain("`admin` scope");
  });
});

describe("GET /api/health", () => {
  it("reports the database kind and applied migrations", async () => {
    const res = await health(new Request("http://test/api/health"));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", database: { kind: db.kind, reachable: true, migrations: { pending: [], failed: [] } } });
    expect(body.database.migrations.applied.length).toBeGreaterThan(0);
    expect(body.clientApi).toEqual({ snapshot: null }); // no client API runs in this test process
    expect(body.gateway).toEqual({ recorder: null }); // nor a gateway
    expect(JSON.stringify(body)).not.toMatch(/postgres(ql)?:\/\//);
  });
});

describe("API keys through the admin API", () => {
  it("creates a key shown once, lists it without its secret, and revokes it so it stops working", async () => {
    const keys = await import("@/app/api/admin/api-keys/route");
    const revoke = await import("@/app/api/admin/api-keys/[id]/revoke/route");
    const auth = { authorization: `Bearer ${adminKey}`, "content-type": "application/json" };
    const created = await keys.POST(
      new Request("http://test/api/admin/api-keys", { method: "POST", headers: auth, body: JSON.stringify({ name: "sdk", scopes: ["route", "metrics"] }) }),
      ctx,
    );
    expect(created.status).toBe(201);
    const { key, apiKey } = await created.json();
    expect(key).toMatch(/^lck_/);
    const listed = await (await keys.GET(new Request("http://test/api/admin/api-keys", { headers: auth }), ctx)).json();
    expect(JSON.stringify(listed)).not.toContain(key.split("_")[2]);
    expect(listed.apiKeys.map((k: { id: string }) => k.id)).toContain(apiKey.id);

    const newAdmin = await keys.POST(
      new Request("http://test/api/admin/api-keys", { method: "POST", headers: auth, body: JSON.stringify({ name: "ops", scopes: ["admin"] }) }),
      ctx,
    );
    const opsKey = (await newAdmin.json()).key;
    const opsAuth = { authorization: `Bearer ${opsKey}` };
    expect((await GET(new Request("http://test/api/admin/configs", { headers: opsAuth }), ctx)).status).toBe(200);
    const opsId = (await db.prisma.apiKey.findFirstOrThrow({ where: { name: "ops" } })).id;
    const revoked = await revoke.POST(new Request(`http://test/api/admin/api-keys/${opsId}/revoke`, { method: "POST", headers: auth }), {
      params: Promise.resolve({ id: opsId }),
    });
    expect((await revoked.json()).revokedAt).not.toBeNull();
    expect((await GET(new Request("http://test/api/admin/configs", { headers: opsAuth }), ctx)).status).toBe(401);
  });
});

describe("PATCH /api/admin/configs/{key}", () => {
  it("changes the sample policy and gateway settings, audits before and after, and leaves the routing revision as it was", async () => {
    const created = await (await POST(post(JSON.stringify({ key: "gateway-settings", name: "Gateway settings" })), ctx)).json();
    expect(created).toMatchObject({ samplePolicy: { keep: "all", fraction: null }, gatewayClientOverrides: false });
    const keyCtx = { params: Promise.resolve({ key: "gateway-settings" }) };
    const patch = (body: unknown) =>
      PATCH(new Request("http://test/api/admin/configs/gateway-settings", { method: "PATCH", headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, body: JSON.stringify(body) }), keyCtx);
    const res = await patch({ samplePolicy: { keep: "fraction", fraction: 0.25 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: "gateway-settings", samplePolicy: { keep: "fraction", fraction: 0.25 }, gatewayClientOverrides: false, revision: created.revision });
    await patch({ gatewayClientOverrides: true });
    await patch({ samplePolicy: { keep: "errors_and_low_ratings" } });
    const read = await (await getConfig(new Request("http://test/api/admin/configs/gateway-settings", { headers: { authorization: `Bearer ${adminKey}` } }), keyCtx)).json();
    expect(read.config).toMatchObject({ samplePolicy: { keep: "errors_and_low_ratings", fraction: null }, gatewayClientOverrides: true });
    const events = await db.prisma.auditEvent.findMany({ where: { entityId: created.id, action: "config.update" }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.before, e.after, e.actorLabel])).toEqual([
      [{ samplePolicy: { keep: "all", fraction: null } }, { samplePolicy: { keep: "fraction", fraction: 0.25 } }, "key:admin"],
      [{ gatewayClientOverrides: false }, { gatewayClientOverrides: true }, "key:admin"],
      [{ samplePolicy: { keep: "fraction", fraction: 0.25 } }, { samplePolicy: { keep: "errors_and_low_ratings", fraction: null } }, "key:admin"],
    ]);
    // Bad input: 400 naming the field and the problem, and nothing changes.
    const before = await db.prisma.config.findUniqueOrThrow({ where: { key: "gateway-settings" } });
    for (const [body, message] of [
      [{ samplePolicy: { keep: "fraction", fraction: 2 } }, "The `samplePolicy.fraction` field must be more than 0 and less than 1 (keep `all` or `none` for 1 or 0)."],
      [{ samplePolicy: { keep: "fraction" } }, "The `samplePolicy.fraction` field is required when `keep` is `fraction`: the share of requests to keep, like 0.1."],
      [{ samplePolicy: { keep: "none", fraction: 0.5 } }, 'The `samplePolicy.fraction` field is only for `keep: "fraction"`; with `none` leave it out.'],
      [{ samplePolicy: { keep: "some" } }, "The `samplePolicy.keep` field must be one of all, fraction, errors_and_low_ratings, none."],
    ] as const) {
      const refused = await patch(body);
      expect(refused.status).toBe(400);
      expect((await refused.json()).error.message).toBe(message);
    }
    expect(await db.prisma.config.findUniqueOrThrow({ where: { key: "gateway-settings" } })).toEqual(before);
    expect(await db.prisma.auditEvent.count({ where: { entityId: created.id, action: "config.update" } })).toBe(3);
  });
});
