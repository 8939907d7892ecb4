import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { Prisma } from "@/lib/db/generated/client";
import { ValidationError } from "@/lib/errors";
import { openApiDocument } from "@/lib/openapi/document";
import { createProvider } from "@/lib/providers/connection-service";
import { createConfig } from "@/lib/release/config-service";
import { LLM_FIELDS } from "@/lib/release/llm-settings";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion, getVersion, listVersions } from "@/lib/release/version-service";
import { createClient, type CanaryClient, type LlmSettings as SdkLlmSettings } from "@/lib/sdk/client";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { deadBaseUrl } from "../helpers/sdk-fixture";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Versions as chat templates over real HTTP and a real database: every LLM setting reaches the
// version body, /api/route, /api/routing-state, the SDK and the OpenAPI document (a field added to
// lib/release/llm-settings.ts and left out of one fails here); variables render on the server and
// in the SDK alike; bad templates and settings are refused with the path, storing nothing.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

/** Every setting away from its default, so a field dropped on the way shows. */
const full = {
  label: "t1",
  model: "gpt-4o",
  provider: "openai",
  /** A real connection's id, made in beforeAll (a version may only name one that exists). */
  providerId: "",
  messages: [
    { role: "system", content: "You support {{product}} customers.{{#tier}} They are on the {{tier}} plan.{{/tier}}" },
    { role: "developer", content: "Answer in {{language}}." },
    { role: "user", content: "Where is my order?" },
    { role: "assistant", content: "Let me look it up." },
    { role: "placeholder", name: "history" },
    { role: "user", content: "{{question}}" },
  ],
  temperature: 0.3,
  topP: 0.9,
  maxTokens: 400,
  stop: ["\nUser:"],
  seed: 7,
  tools: [
    {
      name: "lookup_order",
      description: "Find an order by id",
      parameters: { type: "object", properties: { orderId: { type: "string" }, email: { type: "string" } }, required: ["orderId"] },
    },
  ],
  toolChoice: "auto",
  responseFormat: { type: "json_schema", name: "reply", schema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] }, strict: true },
  retrievalStrategy: { type: "vector", topK: 4 },
  params: { presence_penalty: 0.1 },
  variables: [{ name: "product", default: "Acme" }, { name: "language", description: "the user's language" }],
};
const storedVariables = [{ name: "product", default: "Acme" }, { name: "tier" }, { name: "language", description: "the user's language" }, { name: "question" }];
const values = { language: "French", question: "Where is order 42?", tier: "gold" };
const rendered = [
  { role: "system", content: "You support Acme customers. They are on the gold plan." },
  { role: "developer", content: "Answer in French." },
  { role: "user", content: "Where is my order?" },
  { role: "assistant", content: "Let me look it up." },
  { role: "placeholder", name: "history" },
  { role: "user", content: "Where is order 42?" },
];

let db: TestDatabase;
let srv: ClientApiServer;
let routeKey: string;
let versionId: string;
const clients: CanaryClient[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.LLM_CANARY_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  full.providerId = (await createProvider(db.prisma, system, { name: "local", baseUrl: "https://llm.example.com/v1", apiKey: "sk-template-test" })).id;
  await createConfig(db.prisma, system, { key: "tmpl", name: "Templates" });
  await createConfig(db.prisma, system, { key: "legacy", name: "Old-style versions" });
  await createConfig(db.prisma, system, { key: "duo", name: "A rollout of templates" });
  versionId = (await createVersion(db.prisma, system, "tmpl", full)).id;
  await createVersion(db.prisma, system, "legacy", { label: "v1", model: "gpt-4o", systemPrompt: "Be brief.\nCite {{sources}}.", temperature: 0.5, maxTokens: 64 });
  const chat = (label: string, greeting: string) => ({
    label,
    model: "gpt-4o",
    messages: [{ role: "system", content: `${greeting} {{name}}.` }, { role: "user", content: "{{question}}" }],
    variables: [{ name: "name", default: "friend" }],
    temperature: 0.5,
    maxTokens: 64,
  });
  await createVersion(db.prisma, system, "duo", chat("d1", "Hello"));
  const canary = await createVersion(db.prisma, system, "duo", chat("d2", "Hi there"));
  await startRollout(db.prisma, system, "duo", { canaryVersionId: canary.id, stages: [{ percent: 50, minDurationSec: 60, minSamples: 10 }, { percent: 100, minDurationSec: 60, minSamples: 10 }] });
  routeKey = await adminKey(db.prisma, ["route"]);
  srv = await startClientApiServer(db);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

const sdk = (options: Partial<Parameters<typeof createClient>[0]> = {}) => {
  const client = createClient({ baseUrl: srv.baseUrl, apiKey: routeKey.slice("Bearer ".length), flushOnExit: false, onError: () => undefined, ...options });
  clients.push(client);
  return client;
};
const routeBody = (body: Record<string, unknown>) => send(srv.baseUrl, "/api/route", { auth: routeKey, body });
const pick = (o: Record<string, unknown>) => Object.fromEntries(LLM_FIELDS.map((f) => [f, o[f]]));
/** Read after beforeAll, which gives `full` its connection. */
const expectedSettings = () => pick({ ...full, variables: storedVariables });

describe("every LLM setting is carried everywhere", () => {
  it("has a column per field of the schema", () => {
    expect(Object.values(Prisma.VersionScalarFieldEnum)).toEqual(expect.arrayContaining([...LLM_FIELDS]));
  });

  it("reaches the version body, /api/route, /api/routing-state and the SDK unchanged", async () => {
    const version = await getVersion(db.prisma, "tmpl", versionId);
    expect(pick(version)).toEqual(expectedSettings());
    expect(version.systemPrompt).toBe(full.messages[0].content);

    const answer = await routeBody({ config: "tmpl", userId: "u1" });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.llm).sort()).toEqual([...LLM_FIELDS, "systemPrompt"].sort());
    expect(answer.body.llm).toEqual({ ...expectedSettings(), systemPrompt: full.messages[0].content });

    const state = await send(srv.baseUrl, "/api/routing-state?config=tmpl", { auth: routeKey });
    expect(state.body.stable.llm).toEqual(answer.body.llm);

    const local = await sdk({ localEvaluation: true }).route("tmpl", "u1");
    expect(local.source).toBe("local");
    expect(local.llm).toEqual(answer.body.llm);
  });

  it("fills every field in the SDK's defaults as the server does", async () => {
    const client = sdk({ baseUrl: await deadBaseUrl(), retry: { maxAttempts: 1 }, defaults: { tmpl: { model: "m", systemPrompt: "Hi {{name}}", temperature: 0, maxTokens: 5 } } });
    const answer = await client.route("tmpl", "u1", { variables: { name: "Ada" } });
    expect(answer.source).toBe("default");
    expect(Object.keys(answer.llm).sort()).toEqual([...LLM_FIELDS, "rendered", "systemPrompt"].sort());
    expect(answer.llm.rendered).toEqual([{ role: "system", content: "Hi Ada" }]);
    // The SDK's type is the server's answer: nothing more, nothing less.
    expectTypeOf<keyof SdkLlmSettings>().toEqualTypeOf<(typeof LLM_FIELDS)[number] | "systemPrompt" | "rendered">();
  });

  it("is described in the OpenAPI document for each of them", () => {
    type Schema = { properties: Record<string, Schema>; anyOf?: Schema[] };
    const paths = openApiDocument.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { content: Record<string, { schema: Schema }> }> }>>;
    const answer = (path: string, method: string, status = "200") => paths[path][method].responses[status].content["application/json"].schema;
    const described = {
      "version create body": paths["/api/admin/configs/{key}/versions"].post.requestBody!.content["application/json"].schema,
      "version": answer("/api/admin/configs/{key}/versions/{id}", "get"),
      "/api/route llm": answer("/api/route", "post").properties.llm,
      "/api/routing-state llm": answer("/api/routing-state", "get").properties.stable.anyOf![0].properties.llm,
    };
    for (const [what, schema] of Object.entries(described)) {
      expect(Object.keys(schema.properties), what).toEqual(expect.arrayContaining([...LLM_FIELDS]));
    }
    expect(Object.keys(described["/api/route llm"].properties)).toEqual(expect.arrayContaining(["systemPrompt", "rendered"]));
  });
});

describe("variables", () => {
  it("render on the server by POST and GET, placeholders kept, and the template stays beside them", async () => {
    const post = await routeBody({ config: "tmpl", userId: "u1", variables: values });
    expect(post.status).toBe(200);
    expect(post.body.llm.rendered).toEqual(rendered);
    expect(post.body.llm.messages).toEqual(full.messages);
    const query = new URLSearchParams({ config: "tmpl", userId: "u1", ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`variables[${k}]`, v])) });
    const get = await send(srv.baseUrl, `/api/route?${query}`, { auth: routeKey });
    expect(get.body.llm).toEqual(post.body.llm);
    // Without variables: no rendering, and the answer is the snapshot's JSON.
    expect((await routeBody({ config: "tmpl", userId: "u1" })).body.llm).not.toHaveProperty("rendered");
  });

  it("use defaults, leave out empty optional sections, and ignore values the version does not use", async () => {
    const answer = await routeBody({ config: "tmpl", userId: "u1", variables: { language: "German", question: "Hi", product: "Zeta", unused: "x" } });
    expect(answer.body.llm.rendered.slice(0, 2)).toEqual([
      { role: "system", content: "You support Zeta customers." },
      { role: "developer", content: "Answer in German." },
    ]);
  });

  it("refuse a missing required variable with a 400 naming it, by POST and GET", async () => {
    const post = await routeBody({ config: "tmpl", userId: "u1", variables: { question: "Hi" } });
    expect(post.status).toBe(400);
    expect(post.body.error.message).toBe("The `variables.language` field is required: the template uses it outside any section and it has no default.");
    expect(post.body.error.details).toEqual([{ path: "variables.language", message: expect.any(String) }]);
    const get = await send(srv.baseUrl, `/api/route?config=tmpl&userId=u1&${encodeURIComponent("variables[language]")}=x`, { auth: routeKey });
    expect(get.status).toBe(400);
    expect(get.body.error.details.map((d: { path: string }) => d.path)).toEqual(["variables.question"]);
    const bad = await routeBody({ config: "tmpl", userId: "u1", variables: { question: 5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("variables.question");
  });

  it("render in the SDK exactly as on the server: remotely, locally, and from the last stable answer when the server is gone", async () => {
    const remote = sdk();
    const local = sdk({ localEvaluation: { configs: ["duo", "tmpl"] } });
    await local.ready();
    for (let i = 0; i < 40; i++) {
      const userId = `user-${i}`;
      const variables: Record<string, string> = i % 3 ? { question: `q${i}`, name: `n${i}` } : { question: `q${i}` };
      const server = (await routeBody({ config: "duo", userId, variables })).body;
      for (const client of [remote, local]) {
        const answer = await client.route("duo", userId, { variables });
        expect({ ...answer, requestId: server.requestId, source: undefined }).toEqual({ ...server, source: undefined });
      }
    }
    const server = (await routeBody({ config: "tmpl", userId: "x", variables: values })).body;
    expect((await local.route("tmpl", "x", { variables: values })).llm).toEqual(server.llm);
    // Refused in the server's words (both take them from refusalOf).
    const refused = (await routeBody({ config: "tmpl", userId: "x", variables: { question: "Hi" } })).body.error;
    await expect(local.route("tmpl", "x", { variables: { question: "Hi" } })).rejects.toMatchObject({
      code: "invalid_request",
      message: refused.message,
      details: refused.details,
    });

    // The stale fallback renders the last stable answer with this call's values, not the earlier ones.
    const dead = sdk({ retry: { maxAttempts: 1 } });
    const seen = await dead.route("tmpl", "y", { variables: values });
    expect(seen.source).toBe("server");
    await srv.close();
    try {
      const stale = await dead.route("tmpl", "y", { variables: { ...values, language: "Dutch" } });
      expect(stale.source).toBe("stale");
      expect(stale.llm.rendered?.[1]).toEqual({ role: "developer", content: "Answer in Dutch." });
      expect((await dead.route("tmpl", "y")).llm).not.toHaveProperty("rendered");
    } finally {
      srv = await startClientApiServer(db);
    }
  });
});

describe("creating versions", () => {
  it("still takes an old-style systemPrompt: one system message, its variables detected, the same systemPrompt answered", async () => {
    const [legacy] = await listVersions(db.prisma, "legacy");
    expect(legacy.messages).toEqual([{ role: "system", content: "Be brief.\nCite {{sources}}." }]);
    expect(legacy.variables).toEqual([{ name: "sources" }]);
    const answer = await routeBody({ config: "legacy", userId: "u" });
    expect(answer.body.llm.systemPrompt).toBe("Be brief.\nCite {{sources}}.");
  });

  it.each([
    ["an unknown role", { messages: [{ role: "tool", content: "x" }] }, "messages.0.role"],
    ["oversize content", { messages: [{ role: "user", content: "x".repeat(100_001) }] }, "messages.0.content"],
    ["a broken template", { messages: [{ role: "user", content: "Hi {{name" }] }, "messages.0.content"],
    ["systemPrompt and messages", { systemPrompt: "Hi", messages: [{ role: "user", content: "x" }] }, "systemPrompt"],
    ["an invalid tool schema", { systemPrompt: "Hi", tools: [{ name: "t", parameters: { type: "object", properties: { a: { type: "text" } } } }] }, "tools.0.parameters.properties.a.type"],
    ["a response schema requiring an undefined property", { systemPrompt: "Hi", responseFormat: { type: "json_schema", name: "r", schema: { type: "object", required: ["x"], properties: {} } } }, "responseFormat.schema.required.0"],
    ["a variable no message uses", { systemPrompt: "Hi {{name}}", variables: [{ name: "nome" }] }, "variables.0.name"],
  ])("refuses %s with the path %s, storing nothing", async (_what, settings, path) => {
    const before = await db.prisma.version.count();
    const error = await createVersion(db.prisma, system, "tmpl", { label: "bad", model: "m", temperature: 0, maxTokens: 5, ...settings }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details?.[0].path).toBe(path);
    expect(await db.prisma.version.count()).toBe(before);
  });
});
