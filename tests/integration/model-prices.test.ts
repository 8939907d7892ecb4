import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { ENDPOINTS } from "@/lib/openapi/endpoints";
import { createConfig } from "@/lib/release/config-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call, sessionFor } from "../helpers/call";
import { send, startClientApiServer, waitFor, type ClientApiServer } from "../helpers/client-api-server";
import { handlerFor } from "../helpers/route-handler";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The model price table through its admin API, and what it is for: ingest prices an outcome that
// reports tokens but no cost by its version's model, with the price in force when it arrives.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const SLASHED = "meta-llama/Llama-3.1-8B-Instruct";

let db: TestDatabase;
let srv: ClientApiServer;
let admin: string;
let metricsKey: string;
let versionId: string;
const endpoint = (method: string, path: string) => handlerFor(ENDPOINTS.find((e) => e.method === method && e.path === path)!);
const list = async (auth = admin) => call(await endpoint("get", "/api/admin/model-prices"), "GET", { auth });
const set = async (body: unknown, auth = admin) => call(await endpoint("post", "/api/admin/model-prices"), "POST", { auth, body });
const remove = async (model: string) => call(await endpoint("delete", "/api/admin/model-prices/{model}"), "DELETE", { auth: admin, params: { model } });

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  admin = await adminKey(db.prisma);
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  await createConfig(db.prisma, system, { key: "chat", name: "Chat" });
  versionId = (await createVersion(db.prisma, system, "chat", { label: "v1", model: SLASHED, systemPrompt: "Hi.", temperature: 0.5, maxTokens: 100 })).id;
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

describe("the model price table", () => {
  it("starts with well-known models and is readable by every role", async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body.prices).toContainEqual(expect.objectContaining({ model: "gpt-4o-mini", inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 }));
    const viewer = await sessionFor(db.prisma, "viewer");
    expect((await call(await endpoint("get", "/api/admin/model-prices"), "GET", { cookie: viewer.cookie })).status).toBe(200);
    const editor = await sessionFor(db.prisma, "editor");
    const refused = await call(await endpoint("post", "/api/admin/model-prices"), "POST", { cookie: editor.cookie, body: { model: "x", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } });
    expect(refused.status).toBe(403);
  });

  it("adds, replaces and removes a price (a model name with slashes too), auditing each change", async () => {
    const added = await set({ model: ` ${SLASHED} `, inputUsdPerMillion: 0.2, outputUsdPerMillion: 0.2 });
    expect(added).toMatchObject({ status: 200, body: { model: SLASHED, inputUsdPerMillion: 0.2, outputUsdPerMillion: 0.2 } });
    const replaced = await set({ model: SLASHED, inputUsdPerMillion: 0.18, outputUsdPerMillion: 0.25 });
    expect(replaced.body).toMatchObject({ inputUsdPerMillion: 0.18, outputUsdPerMillion: 0.25 });
    expect((await list()).body.prices.filter((p: { model: string }) => p.model === SLASHED)).toHaveLength(1);
    const events = await db.prisma.auditEvent.findMany({ where: { entityType: "model_price", entityId: SLASHED }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["model_price.create", "model_price.update"]);
    expect(events[1].before).toMatchObject({ inputUsdPerMillion: 0.2 });

    await set({ model: "doomed/model", inputUsdPerMillion: 1, outputUsdPerMillion: 2 });
    expect((await remove("doomed/model")).status).toBe(200);
    expect(await db.prisma.modelPrice.findUnique({ where: { model: "doomed/model" } })).toBeNull();
    const gone = await remove("doomed/model");
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toContain("doomed/model");
    expect(await db.prisma.auditEvent.count({ where: { action: "model_price.delete", entityId: "doomed/model" } })).toBe(1);
  });

  it.each([
    [{ model: "", inputUsdPerMillion: 1, outputUsdPerMillion: 1 }, "model"],
    [{ model: "m", inputUsdPerMillion: -1, outputUsdPerMillion: 1 }, "inputUsdPerMillion"],
    [{ model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: "cheap" }, "outputUsdPerMillion"],
    [{ model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: 20_000 }, "outputUsdPerMillion"],
    [{ model: "m", inputUsdPerMillion: 1 }, "outputUsdPerMillion"],
    [{ model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: 1, currency: "EUR" }, "(root)"],
  ])("refuses %j with a 400 naming %s, and changes nothing", async (body, field) => {
    const before = { prices: await db.prisma.modelPrice.findMany({ orderBy: { model: "asc" } }), audit: await db.prisma.auditEvent.count() };
    const res = await set(body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    if (field !== "(root)") expect(res.body.error.message).toContain(`\`${field}\``);
    expect({ prices: await db.prisma.modelPrice.findMany({ orderBy: { model: "asc" } }), audit: await db.prisma.auditEvent.count() }).toEqual(before);
  });
});

describe("ingest prices tokens", () => {
  let seq = 0;
  const report = (over: Record<string, unknown>) =>
    send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events: [{ requestId: `p-${++seq}`, config: "chat", versionId, isError: false, latencyMs: 300, ...over }] } });
  const costOf = async (requestId: string) => (await db.prisma.outcome.findFirstOrThrow({ where: { requestId } })).costUsd;

  it("by the version's model and the price in force when the outcome arrives; a cost the client sent wins", async () => {
    await set({ model: SLASHED, inputUsdPerMillion: 0.18, outputUsdPerMillion: 0.25 });
    // Every instance reloads its snapshot on the change's notification.
    await waitFor(async () => (await report({ inputTokens: 1_000_000, outputTokens: 0 })).status === 202 && (await costOf(`p-${seq}`)) === 0.18);
    expect((await report({ inputTokens: 2_000_000, outputTokens: 4_000_000 })).status).toBe(202);
    const priced = `p-${seq}`;
    expect(await costOf(priced)).toBeCloseTo(1.36, 10);
    expect((await report({ inputTokens: 10, outputTokens: 10, costUsd: 0.5 })).status).toBe(202);
    expect(await costOf(`p-${seq}`)).toBe(0.5);
    expect((await report({ outputTokens: 10 })).status).toBe(202);
    expect(await costOf(`p-${seq}`)).toBeNull();

    await set({ model: SLASHED, inputUsdPerMillion: 1, outputUsdPerMillion: 1 });
    await waitFor(async () => (await report({ inputTokens: 1_000_000, outputTokens: 1_000_000 })).status === 202 && (await costOf(`p-${seq}`)) === 2);
    // Stored costs stay as they were priced.
    expect(await costOf(priced)).toBeCloseTo(1.36, 10);
    const rollup = await db.prisma.metricRollup.aggregate({ where: { versionId }, _sum: { costUsd: true, costCount: true } });
    const raw = await db.prisma.outcome.aggregate({ where: { versionId }, _sum: { costUsd: true }, _count: { costUsd: true } });
    expect(rollup._sum.costCount).toBe(raw._count.costUsd);
    expect(rollup._sum.costUsd).toBeCloseTo(raw._sum.costUsd!, 10);

    await remove(SLASHED);
    await waitFor(async () => (await report({ inputTokens: 5, outputTokens: 5 })).status === 202 && (await costOf(`p-${seq}`)) === null);
  });
});
