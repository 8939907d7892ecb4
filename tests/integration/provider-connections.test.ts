import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as providers from "@/app/api/admin/providers/route";
import * as providerOne from "@/app/api/admin/providers/[id]/route";
import * as providerTest from "@/app/api/admin/providers/[id]/test/route";
import * as providerNames from "@/app/api/admin/provider-names/route";
import * as versions from "@/app/api/admin/configs/[key]/versions/route";
import { createConfig } from "@/lib/release/config-service";
import { setDatabase } from "@/lib/db/client";
import { connectionFor } from "@/lib/providers/connection-service";
import { adminKey, call, sessionFor } from "../helpers/call";
import { startProviderProcess, type ProviderProcess } from "../helpers/openai-compatible-process";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Provider connections through the admin API on a real database, against the OpenAI-compatible
// test server in a process of its own. The server listens on 127.0.0.2, which stands for a public
// host: LLM_CANARY_ALLOW_PRIVATE_NETWORKS=127.0.0.2 allows it and nothing else (as in
// outbound-policy.test.ts). The key and a header value are searched for in every answer, every
// stored column and every audit event.

const KEY = `sk-live-${randomBytes(12).toString("hex")}`;
const ORG = `org-${randomBytes(8).toString("hex")}`;
const FRONT = "127.0.0.2";

let db: TestDatabase;
let auth: string;
let provider: ProviderProcess;
let baseUrl: string;
const seen: string[] = []; // every answer's text, searched for secrets at the end

function setPolicy(value: string) {
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = value;
}

async function api(handler: Parameters<typeof call>[0], method: string, options: Parameters<typeof call>[2] = {}) {
  const res = await call(handler, method, { auth, ...options });
  seen.push(JSON.stringify(res.body));
  return res;
}

const create = (body: Record<string, unknown>) => api(providers.POST, "POST", { body: { name: `p-${randomBytes(3).toString("hex")}`, ...body } });
const test = async (id: string) => (await api(providerTest.POST, "POST", { params: { id } })).body;
const received = async () => ((await (await fetch(`${provider.origin}/_requests`)).json()) as { requests: { path: string; headers: Record<string, string> }[] }).requests;

beforeAll(async () => {
  process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  db = await createTestDatabase();
  setDatabase(db);
  auth = await adminKey(db.prisma);
  provider = await startProviderProcess({ host: FRONT, apiKey: KEY });
  baseUrl = `${provider.origin}/v1`;
});
afterEach(() => setPolicy(FRONT));
afterAll(async () => {
  setPolicy("true");
  await provider?.stop();
  await db?.close();
});

describe("provider connections", () => {
  it("stores the key and header values sealed, answers with a hint only, and tests by listing the models", async () => {
    setPolicy(FRONT);
    const created = await create({ baseUrl: `${baseUrl}/`, apiKey: KEY, headers: { "OpenAI-Organization": ORG } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ baseUrl, apiKeyHint: `…${KEY.slice(-4)}`, headerNames: ["OpenAI-Organization"] });
    expect(Object.keys(created.body).sort()).toEqual(["apiKeyHint", "baseUrl", "createdAt", "headerNames", "id", "name", "updatedAt"]);
    const { id } = created.body;

    const [row] = await db.query<Record<string, unknown>>(`SELECT * FROM provider_connections WHERE id = $1`, [id]);
    expect(JSON.stringify(row)).not.toContain(KEY);
    expect(JSON.stringify(row)).not.toContain(ORG);
    expect(row.api_key_sealed).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(await connectionFor(db.prisma, id)).toEqual({ baseUrl, apiKey: KEY, headers: { "OpenAI-Organization": ORG } });

    expect(await test(id)).toMatchObject({ ok: true, models: ["test-chat", "test-chat-mini", "test-judge"], error: null });
    const last = (await received()).at(-1)!;
    expect(last).toMatchObject({ path: "/v1/models", headers: { authorization: `Bearer ${KEY}`, "openai-organization": ORG } });

    expect((await api(providers.GET, "GET")).body.providers.map((p: { id: string }) => p.id)).toContain(id);
    expect((await api(providerOne.GET, "GET", { params: { id } })).body).toEqual(created.body);
  });

  it("keeps the key when a change leaves it out, replaces it when given, merges headers", async () => {
    setPolicy(FRONT);
    const { body: made } = await create({ baseUrl, apiKey: "sk-wrong-0000000000000000", headers: { "X-A": "alpha-value", "X-B": "beta-value" } });
    const renamed = await api(providerOne.PATCH, "PATCH", { params: { id: made.id }, body: { name: `${made.name}-2` } });
    expect(renamed.body.apiKeyHint).toBe("…0000");

    // The endpoint refuses the key and repeats it in its message: the answer blots it out.
    const refused = await test(made.id);
    expect(refused).toMatchObject({ ok: false, models: [], error: { kind: "http_status", status: 401 } });
    expect(refused.error.message).toMatch(/^The endpoint answered HTTP 401: Incorrect API key provided: \*\*\*\./);

    const fixed = await api(providerOne.PATCH, "PATCH", { params: { id: made.id }, body: { apiKey: KEY, headers: { "x-a": null, "X-C": "gamma-value" } } });
    expect(fixed.body).toMatchObject({ apiKeyHint: `…${KEY.slice(-4)}`, headerNames: ["X-B", "X-C"] });
    expect((await connectionFor(db.prisma, made.id)).headers).toEqual({ "X-B": "beta-value", "X-C": "gamma-value" });
    expect(await test(made.id)).toMatchObject({ ok: true });
  });

  it("refuses bad input with a 400 naming the field, and a taken name with a 409, storing nothing", async () => {
    setPolicy(FRONT);
    const before = await db.prisma.providerConnection.count();
    const cases: [Record<string, unknown>, string][] = [
      [{ baseUrl: "ftp://example.com/v1", apiKey: KEY }, "baseUrl"],
      [{ baseUrl: "https://user:pass@example.com/v1", apiKey: KEY }, "baseUrl"],
      [{ baseUrl: "https://example.com/v1?api-version=1", apiKey: KEY }, "baseUrl"],
      [{ baseUrl, apiKey: "has a space" }, "apiKey"],
      [{ baseUrl, apiKey: KEY, headers: { Authorization: "Bearer x" } }, "headers.Authorization"],
      [{ baseUrl, apiKey: KEY, headers: { "X-Line": "a\r\nX-Evil: 1" } }, "headers.X-Line"],
      [{ baseUrl, apiKey: KEY, headers: { "X-A": "1", "x-a": "2" } }, "headers.x-a"],
    ];
    for (const [body, path] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const { body: first } = await create({ baseUrl, apiKey: KEY });
    const taken = await api(providers.POST, "POST", { body: { name: first.name, baseUrl, apiKey: KEY } });
    expect(taken.status).toBe(409);
    expect(await db.prisma.providerConnection.count()).toBe(before + 1);
  });

  it("refuses 127.0.0.1, 169.254.169.254 and 10.0.0.1 at save (400 naming baseUrl) and at call, and a redirect to them", async () => {
    setPolicy("false");
    for (const host of ["127.0.0.1", "169.254.169.254", "10.0.0.1"]) {
      const res = await create({ baseUrl: `http://${host}:${new URL(provider.origin).port}/v1`, apiKey: KEY });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: "baseUrl", message: expect.stringMatching(new RegExp(`^must point at a public address; ${host.replace(/\./g, "\\.")} is a`)) }]);
    }

    // Saved while allowed, refused at the call once the policy says no.
    setPolicy(FRONT);
    const { body: saved } = await create({ baseUrl, apiKey: KEY });
    setPolicy("false");
    expect(await test(saved.id)).toMatchObject({ ok: false, error: { kind: "refused_by_policy", status: null, message: expect.stringContaining("Refused by the outbound policy: the base URL must point at a public address; 127.0.0.2 is a loopback address") } });

    setPolicy(FRONT);
    const port = new URL(provider.origin).port;
    const requestsBefore = (await received()).length;
    for (const target of [`http://127.0.0.1:${port}/v1`, "http://169.254.169.254/latest", "http://10.0.0.1/v1"]) {
      const { body: redirecting } = await create({ baseUrl, apiKey: KEY, headers: { "X-Test-Redirect": target } });
      const result = await test(redirecting.id);
      expect(result).toMatchObject({ ok: false, error: { kind: "refused_by_policy" } });
      expect(result.error.message).toContain(`the endpoint redirected to ${new URL(target).origin}, which must point at a public address`);
    }
    // Only the redirecting hops reached the server; the refused targets got nothing.
    expect((await received()).slice(requestsBefore).map((r) => r.path)).toEqual(["/v1/models", "/v1/models", "/v1/models"]);
  });

  it("follows an allowed redirect to another origin without the credentials", async () => {
    setPolicy(`${FRONT},127.0.0.1`);
    const other = await startProviderProcess({ host: "127.0.0.1", apiKey: KEY });
    try {
      const { body: made } = await create({ baseUrl, apiKey: KEY, headers: { "X-Test-Redirect": `${other.origin}/v1`, "X-Secret-Header": ORG } });
      const result = await test(made.id);
      expect(result).toMatchObject({ ok: false, error: { kind: "http_status", status: 401 } });
      const [hop] = ((await (await fetch(`${other.origin}/_requests`)).json()) as { requests: { path: string; headers: Record<string, string> }[] }).requests;
      expect(hop.path).toBe("/v1/models");
      expect(hop.headers.authorization).toBeUndefined();
      expect(hop.headers["x-secret-header"]).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it("says when the stored key was sealed under another encryption key, and heals when the key is entered again", async () => {
    setPolicy(FRONT);
    const { body: made } = await create({ baseUrl, apiKey: KEY });
    const original = process.env.LLM_CANARY_ENCRYPTION_KEY;
    process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("hex");
    try {
      expect(await test(made.id)).toMatchObject({ ok: false, error: { kind: "key_unreadable", message: expect.stringContaining("sealed under another encryption key") } });
      await api(providerOne.PATCH, "PATCH", { params: { id: made.id }, body: { apiKey: KEY } });
      expect(await test(made.id)).toMatchObject({ ok: true });
    } finally {
      process.env.LLM_CANARY_ENCRYPTION_KEY = original;
    }
  });

  it("audits create, change and delete with no key, header value or URL path in the events", async () => {
    setPolicy(FRONT);
    const { body: made } = await create({ baseUrl, apiKey: KEY, headers: { "X-Org": ORG } });
    await api(providerOne.PATCH, "PATCH", { params: { id: made.id }, body: { apiKey: `${KEY}-new`, headers: { "X-Org": `${ORG}-new` } } });
    const deleted = await api(providerOne.DELETE, "DELETE", { params: { id: made.id } });
    expect(deleted.body.id).toBe(made.id);
    expect((await api(providerOne.GET, "GET", { params: { id: made.id } })).status).toBe(404);

    const events = await db.prisma.auditEvent.findMany({ where: { entityId: made.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["provider.create", "provider.update", "provider.delete"]);
    const text = JSON.stringify(events.map(({ before, after, reason }) => ({ before, after, reason })));
    for (const secret of [KEY, ORG, "/v1"]) expect(text).not.toContain(secret);
    expect(events[1].after).toMatchObject({ baseUrl: `${provider.origin}/***`, apiKeyHint: "***", secretsReplaced: { apiKey: true, headers: ["X-Org"] } });
  });

  it("lets a version name its connection, checked to exist; editors see connections' names only", async () => {
    setPolicy(FRONT);
    const { body: made } = await create({ baseUrl, apiKey: KEY });
    await createConfig(db.prisma, { type: "system", id: null, label: "test", scopes: [] }, { key: "via-provider", name: "Via provider" });
    const version = (label: string, providerId: string | null) => ({ label, model: "test-chat", systemPrompt: "Hi.", temperature: 0.5, maxTokens: 64, providerId });
    const unknown = await api(versions.POST, "POST", { params: { key: "via-provider" }, body: version("v1", "prv_missing") });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ path: "providerId", message: expect.stringContaining("must name a provider connection") }]);
    expect(await db.prisma.version.count({ where: { config: { key: "via-provider" } } })).toBe(0);

    const named = await api(versions.POST, "POST", { params: { key: "via-provider" }, body: version("v1", made.id) });
    expect(named.status).toBe(201);
    expect(named.body.providerId).toBe(made.id);
    expect((await api(versions.POST, "POST", { params: { key: "via-provider" }, body: version("v2", null) })).body.providerId).toBeNull();

    const editor = await sessionFor(db.prisma, "editor");
    const names = await call(providerNames.GET, "GET", { cookie: editor.cookie });
    expect(names.status).toBe(200);
    expect(names.body.providers).toContainEqual({ id: made.id, name: made.name });
    expect(Object.keys(names.body.providers[0]).sort()).toEqual(["id", "name"]);
    expect((await call(providers.GET, "GET", { cookie: editor.cookie })).status).toBe(403);
  });

  it("never answers with the key or a header value", () => {
    expect(seen.length).toBeGreaterThan(20);
    const all = seen.join("\n");
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(ORG);
  });
});
