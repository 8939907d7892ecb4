import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-key-service";
import { parseApiKey } from "@/lib/auth/api-keys";
import { ROLES, type ApiKeyScope } from "@/lib/auth/scopes";
import { setDatabase } from "@/lib/db/client";
import { ENDPOINTS, type Endpoint } from "@/lib/openapi/endpoints";
import { createProvider } from "@/lib/providers/connection-service";
import { createConfig } from "@/lib/release/config-service";
import { createScore } from "@/lib/release/score-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call, sessionFor } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { handlerFor } from "../helpers/route-handler";
import { startProviderProcess, type ProviderProcess } from "../helpers/openai-compatible-process";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Who may call the client API, generated from the endpoint list: every `client` endpoint over
// real HTTP against the started client API, every `public` one through its handler, each with
// every kind of credential and a valid request, so only authentication decides the status. The
// expectation comes from the endpoint's keyScope and the key's configs (every sample is about the
// config `chat`): a new client endpoint without a keyScope, or without a sample request below,
// fails here. (Admin endpoints: tests/integration/admin-access.test.ts.)

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

let db: TestDatabase;
let srv: ClientApiServer;
let versionId: string;
let provider: ProviderProcess;

interface Principal {
  name: string;
  headers: Record<string, string>;
  /** The scopes of a valid, unrevoked key; null when the request carries no usable key. */
  keyScopes: readonly ApiKeyScope[] | null;
  /** The configs the key is limited to; absent: every config. */
  configs?: readonly string[];
}
const principals: Principal[] = [];

const KEY_SCOPE_SETS: ApiKeyScope[][] = [["route"], ["metrics"], ["gateway"], ["admin"], ["route", "metrics"], ["route", "metrics", "gateway"]];

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db); // the public handlers and next-auth read the database through getDatabase()
  // The gateway's sample calls go through a connection to the test provider.
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = "127.0.0.1";
  provider = await startProviderProcess();
  const providerId = (await createProvider(db.prisma, system, { name: "local", baseUrl: `${provider.origin}/v1`, apiKey: "sk-access-0123456789" })).id;
  await createConfig(db.prisma, system, { key: "chat", name: "Chat" });
  versionId = (await createVersion(db.prisma, system, "chat", { label: "v1", model: "gpt-4o", providerId, systemPrompt: "Be brief.", temperature: 0.5, maxTokens: 256 })).id;
  await createScore(db.prisma, system, "chat", { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 });
  await createConfig(db.prisma, system, { key: "other", name: "Another team's config" });
  await createVersion(db.prisma, system, "other", { label: "v1", model: "gpt-4o", systemPrompt: "Be long.", temperature: 0.5, maxTokens: 256 });

  principals.push({ name: "anonymous", headers: {}, keyScopes: null });
  for (const role of ROLES) {
    principals.push({ name: `${role} session`, headers: { cookie: (await sessionFor(db.prisma, role)).cookie }, keyScopes: null });
  }
  for (const scopes of KEY_SCOPE_SETS) {
    principals.push({ name: `key [${scopes.join(",")}]`, headers: { authorization: await adminKey(db.prisma, scopes) }, keyScopes: scopes });
  }
  // Revoked and wrong-secret keys carry every client scope, so the refusal can only be theirs.
  const revoked = await adminKey(db.prisma, ["route", "metrics", "gateway", "admin"]);
  const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { selector: parseApiKey(revoked.replace("Bearer ", ""))!.selector } });
  await revokeApiKey(db.prisma, system, row.id);
  principals.push({ name: "revoked key", headers: { authorization: revoked }, keyScopes: null });
  const valid = await adminKey(db.prisma, ["route", "metrics", "gateway"]);
  const wrongSecret = valid.replace(/.$/, (c) => (c === "a" ? "b" : "a"));
  principals.push({ name: "key with a wrong secret", headers: { authorization: wrongSecret }, keyScopes: null });
  principals.push({ name: "malformed key", headers: { authorization: "Bearer not-a-key" }, keyScopes: null });
  principals.push({ name: "unknown key", headers: { authorization: "Bearer lck_000000000000_00000000000000000000000000000000" }, keyScopes: null });
  principals.push({ name: "key in a Basic header", headers: { authorization: `Basic ${Buffer.from(valid.replace("Bearer ", "")).toString("base64")}` }, keyScopes: null });
  // Keys limited to configs: to `chat` (the samples' config) they work; to others they get 403.
  const LIMITED: [scopes: ApiKeyScope[], configs: string[]][] = [
    [["route", "metrics"], ["chat"]],
    [["route", "metrics"], ["other", "chat"]],
    [["route", "metrics"], ["other"]],
    [["route"], ["other"]],
    [["metrics"], ["other"]],
    [["gateway"], ["chat"]],
    [["gateway"], ["other"]],
  ];
  for (const [scopes, configs] of LIMITED) {
    const { key } = await createApiKey(db.prisma, system, { name: `limited ${scopes.join(",")} ${configs.join(",")}`, scopes, configs });
    principals.push({ name: `key [${scopes.join(",")}] for ${configs.join(",")}`, headers: { authorization: `Bearer ${key}` }, keyScopes: scopes, configs });
  }
  // A session cookie next to a key that lacks the scope: the cookie must not make up for it.
  const adminSession = principals.find((p) => p.name === "admin session")!.headers.cookie;
  principals.push({ name: "admin session + key [admin]", headers: { cookie: adminSession, authorization: await adminKey(db.prisma, ["admin"]) }, keyScopes: ["admin"] });

  srv = await startClientApiServer(db);
  // The outcome the feedback and late-score samples are about.
  const stored = await send(srv.baseUrl, "/api/metrics", { auth: valid, body: { events: [outcome("rated-request")] } });
  expect(stored).toMatchObject({ status: 202, body: { accepted: 1 } });
});
afterAll(async () => {
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = "true";
  await srv?.close();
  await provider?.stop();
  await db?.close();
});

let seq = 0;
function outcome(requestId = `access-${++seq}`) {
  return { requestId, config: "chat", versionId, isError: false, latencyMs: 120 };
}

/** A valid request per client endpoint, keyed by `METHOD path`: with the right key it succeeds. */
const CLIENT_SAMPLES: Record<string, () => { url: string; body?: unknown }> = {
  "POST /api/route": () => ({ url: "/api/route", body: { config: "chat", userId: "user-1" } }),
  "GET /api/route": () => ({ url: "/api/route?config=chat&userId=user-1" }),
  "GET /api/routing-state": () => ({ url: "/api/routing-state?config=chat" }),
  "POST /api/metrics": () => ({ url: "/api/metrics", body: { events: [outcome()] } }),
  "POST /api/scores": () => ({ url: "/api/scores", body: { events: [{ requestId: "rated-request", config: "chat", scores: { groundedness: 0.9 } }] } }),
  "POST /api/feedback": () => ({ url: "/api/feedback", body: { requestId: "rated-request", rating: 4, config: "chat" } }),
  "POST /v1/chat/completions": () => ({ url: "/v1/chat/completions", body: { model: "chat", user: "user-1", messages: [{ role: "user", content: "Hi" }] } }),
  "GET /v1/models": () => ({ url: "/v1/models" }),
  "GET /v1/models/{model}": () => ({ url: "/v1/models/chat" }),
};

/** Endpoints about no config in particular: a key limited to other configs is not refused there (it lists its own). */
const ABOUT_NO_CONFIG = new Set(["GET /v1/models"]);

const label = (e: Endpoint) => `${e.method.toUpperCase()} ${e.path}`;
const clientEndpoints = ENDPOINTS.filter((e) => e.auth === "client");
const publicEndpoints = ENDPOINTS.filter((e) => e.auth === "public");

/** Why a request is refused with 403: a scope the key lacks, or a config it is not limited to. */
type Refusal = "scope" | "config";

/** The exact status: 401 without a usable key, 403 for a key without the endpoint's scope or limited to other configs. */
function expectedClientStatus(principal: Principal, endpoint: Endpoint): number {
  return refusalOf(principal, endpoint) ? 403 : !principal.keyScopes ? 401 : (endpoint.status ?? 200);
}

function refusalOf(principal: Principal, endpoint: Endpoint): Refusal | null {
  if (!principal.keyScopes) return null;
  if (!principal.keyScopes.includes(endpoint.keyScope!)) return "scope";
  return principal.configs && !principal.configs.includes("chat") && !ABOUT_NO_CONFIG.has(label(endpoint)) ? "config" : null;
}

async function sendAs(principal: Principal, sample: { url: string; body?: unknown }, method: string) {
  const headers: Record<string, string> = { ...principal.headers };
  if (sample.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${srv.baseUrl}${sample.url}`, { method, headers, body: sample.body === undefined ? undefined : JSON.stringify(sample.body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

describe("access rules for every client API endpoint", () => {
  it("every client endpoint names its key scope and has a sample request here", () => {
    expect(clientEndpoints.length).toBeGreaterThanOrEqual(8);
    for (const e of clientEndpoints) {
      expect(e.keyScope, `${label(e)} has no keyScope`).toBeDefined();
      expect(CLIENT_SAMPLES[label(e)], `${label(e)} has no sample request in client-access.test.ts`).toBeDefined();
    }
  });

  it("answers each credential with the exact status its key scope and configs allow, and cookies never count", async () => {
    const outcomesBefore = await db.prisma.outcome.count();
    const cases = clientEndpoints.flatMap((endpoint) => principals.map((principal) => ({ endpoint, principal })));
    // All at once: the unknown key's refusals share one snapshot reload instead of waiting a second each.
    const results = await Promise.all(
      cases.map(async ({ endpoint, principal }) => ({ endpoint, principal, res: await sendAs(principal, CLIENT_SAMPLES[label(endpoint)](), endpoint.method.toUpperCase()) })),
    );
    const failures: string[] = [];
    for (const { endpoint, principal, res } of results) {
      const expected = expectedClientStatus(principal, endpoint);
      const where = `${principal.name} → ${label(endpoint)}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}; expected ${expected}`;
      if (res.status !== expected) failures.push(where);
      else if (expected === 401 && res.body?.error?.code !== "unauthorized") failures.push(`${where} (code unauthorized)`);
      else if (refusalOf(principal, endpoint) === "scope" && !(res.body?.error?.code === "forbidden" && res.body.error.message.includes(`\`${endpoint.keyScope}\` scope`))) {
        failures.push(`${where} (code forbidden, naming the \`${endpoint.keyScope}\` scope)`);
      } else if (refusalOf(principal, endpoint) === "config" && !(res.body?.error?.code === "forbidden" && res.body.error.message.includes("config `chat`"))) {
        failures.push(`${where} (code forbidden, naming the config \`chat\`)`);
      } else if (expected < 300 && endpoint.response && !endpoint.response.safeParse(res.body).success) failures.push(`${where} (response schema)`);
    }
    expect(failures).toEqual([]);
    console.info(`[client-access] ${principals.length} principals × ${clientEndpoints.length} client endpoints = ${results.length} requests`);

    // Only the accepted metrics and gateway calls stored anything (the gateway's once its recorder is flushed).
    const accepted = (path: string, status: number) => principals.filter((p) => expectedClientStatus(p, clientEndpoints.find((e) => label(e) === path)!) === status).length;
    await srv.gateway.recorder.flush();
    expect(await db.prisma.outcome.count()).toBe(outcomesBefore + accepted("POST /api/metrics", 202) + accepted("POST /v1/chat/completions", 200));
    // ... and the accepted late scores: one value of the rated request's score each, the others in its history.
    const scores = clientEndpoints.find((e) => label(e) === "POST /api/scores")!;
    const scored = principals.filter((p) => expectedClientStatus(p, scores) === 202).length;
    const [row] = await db.prisma.outcomeScore.findMany();
    expect([await db.prisma.outcomeScore.count(), 1 + (row.history as unknown[]).length]).toEqual([1, scored]);
  });
});

/** A request per public endpoint and the status everyone gets, whatever they send along. */
const PUBLIC_SAMPLES: Record<string, { url: string; params: Record<string, string[]>; status: number }> = {
  "GET /api/health": { url: "/api/health", params: {}, status: 200 },
  "GET /api/openapi.json": { url: "/api/openapi.json", params: {}, status: 200 },
  "GET /api/auth/{nextauth}": { url: "/api/auth/providers", params: { nextauth: ["providers"] }, status: 200 },
  // Sign-out with next-auth's own CSRF token (double-submit cookie): a redirect, for everyone.
  "POST /api/auth/{nextauth}": { url: "/api/auth/signout", params: { nextauth: ["signout"] }, status: 302 },
};

/** next-auth's CSRF cookie and token, fetched the way its sign-in page does. */
async function nextAuthCsrf(): Promise<{ cookie: string; csrfToken: string }> {
  const get = await handlerFor<Record<string, string[]>>(publicEndpoints.find((e) => label(e) === "GET /api/auth/{nextauth}")!);
  const res = await get(new Request("http://localhost:3000/api/auth/csrf"), { params: Promise.resolve({ nextauth: ["csrf"] }) });
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("authjs.csrf-token="))!;
  return { cookie, csrfToken };
}

describe("public endpoints", () => {
  it("answer everyone alike: credentials neither help nor hurt", async () => {
    const failures: string[] = [];
    for (const endpoint of publicEndpoints) {
      const sample = PUBLIC_SAMPLES[label(endpoint)];
      expect(sample, `${label(endpoint)} has no sample request in client-access.test.ts`).toBeDefined();
      const handler = await handlerFor<Record<string, string[]>>(endpoint);
      for (const principal of principals) {
        const headers: Record<string, string> = { ...principal.headers };
        let body: string | undefined;
        if (endpoint.method === "post") {
          const csrf = await nextAuthCsrf();
          headers.cookie = [principal.headers.cookie, csrf.cookie].filter(Boolean).join("; ");
          headers["content-type"] = "application/x-www-form-urlencoded";
          body = new URLSearchParams({ csrfToken: csrf.csrfToken }).toString();
        }
        const request = new Request(`http://localhost:3000${sample.url}`, { method: endpoint.method.toUpperCase(), headers, body });
        const res = await handler(request, { params: Promise.resolve(sample.params) });
        await res.body?.cancel();
        if (res.status !== sample.status) failures.push(`${principal.name} → ${label(endpoint)}: ${res.status}, expected ${sample.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("the admin API and client-only keys", () => {
  // admin-access.test.ts refuses a key carrying both client scopes; each one alone must not do
  // better. The refusal comes before anything is looked up, so placeholder ids do.
  const PARAMS = { key: "no-such-config", id: "ro_missing", action: "pause" };

  it("refuses a key with only `route`, only `metrics` or only `gateway` on every admin endpoint with 403", async () => {
    const keys = { route: await adminKey(db.prisma, ["route"]), metrics: await adminKey(db.prisma, ["metrics"]), gateway: await adminKey(db.prisma, ["gateway"]) };
    const failures: string[] = [];
    let calls = 0;
    for (const endpoint of ENDPOINTS.filter((e) => e.auth === "admin")) {
      const handler = await handlerFor(endpoint);
      for (const [scope, auth] of Object.entries(keys)) {
        const res = await call(handler, endpoint.method.toUpperCase(), { auth, params: PARAMS, body: endpoint.method === "get" ? undefined : {} });
        calls++;
        if (res.status !== 403 || res.body.error.code !== "forbidden" || !res.body.error.message.includes("`admin` scope")) {
          failures.push(`key [${scope}] → ${label(endpoint)}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(40);
  });
});
