import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as configRollback from "@/app/api/admin/configs/[key]/rollback/route";
import * as rolloutAction from "@/app/api/admin/rollouts/[id]/[action]/route";
import * as reports from "@/app/api/admin/rollouts/[id]/reports/route";
import * as samples from "@/app/api/admin/rollouts/[id]/samples/route";
import { createAlertChannel } from "@/lib/alerts/channel-service";
import { actOnRollout, rollbackConfig } from "@/lib/analysis/rollout-actions";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// A rollout's history: the report kept before each step (whoever took it), and the samples an
// operator reads after a rollback.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `${label}.`, temperature: 0.5, maxTokens: 64 });

let db: TestDatabase;
let srv: ClientApiServer;
let auth: string;
let metricsKey: string;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  auth = await adminKey(db.prisma, ["admin"]);
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

async function rolloutWithTraffic(key: string) {
  await createConfig(db.prisma, system, { key, name: key });
  const stable = await createVersion(db.prisma, system, key, version("v1"));
  const next = await createVersion(db.prisma, system, key, version("v2"));
  const rollout = await startRollout(db.prisma, system, key, { canaryVersionId: next.id });
  await srv.api.store.reload();
  const events = Array.from({ length: 300 }, (_, i) => ({
    requestId: `${key}-${i}`,
    config: key,
    versionId: i % 3 === 0 ? next.id : stable.id,
    rolloutId: rollout.id,
    isError: i % 30 === 0,
    latencyMs: 900 + i,
    rating: i % 4 === 0 ? 1 + (i % 5) : undefined,
    output: `answer ${i}`,
  }));
  expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events } })).status).toBe(202);
  return rollout.id;
}

describe("a rollout's kept reports", () => {
  it("keeps the report that stood before each advance and rollback, with who acted", async () => {
    const id = await rolloutWithTraffic("history");
    expect((await call(rolloutAction.POST, "POST", { auth, params: { id, action: "advance" } })).status).toBe(200);
    expect((await call(rolloutAction.POST, "POST", { auth, params: { id, action: "pause" } })).status).toBe(200); // not a step that ends anything
    expect((await call(configRollback.POST, "POST", { auth, params: { key: "history" }, body: { reason: "complaints" } })).status).toBe(200);
    const res = await call(reports.GET, "GET", { auth, params: { id } });
    expect(res.status).toBe(200);
    expect(res.body.reports.map((r: { event: string; stage: number }) => [r.event, r.stage])).toEqual([["advance", 0], ["rollback", 1]]);
    const [advance] = res.body.reports;
    expect(advance.actor).toMatch(/^key:/);
    expect(advance.report).toMatchObject({ rolloutId: id, status: "running", canary: { requests: 100 }, stable: { requests: 200 } });
    expect(advance.report.verdicts).toHaveLength(4);
    const rollback = res.body.reports[1].report;
    expect(rollback.stages.map((s: { index: number; percent: number; endedAt: string | null }) => [s.index, s.percent, s.endedAt === null])).toEqual([[0, 1, false], [1, 5, true]]);
    expect(rollback.stages[0].canary.requests).toBe(100);
    expect((await call(reports.GET, "GET", { auth, params: { id: "ro_nope" } })).status).toBe(404);
  });
});

describe("the one entry for a rollout action and for the config rollback", () => {
  it("keeps the report and queues the alert when called directly, as the controller and scripts do", async () => {
    const channel = { name: "every event", kind: "webhook", url: "http://127.0.0.1:9/hook" };
    await createAlertChannel(db.prisma, system, channel);
    const id = await rolloutWithTraffic("one-path");
    const operator: Actor = { type: "user", id: "usr_op", label: "op@example.com", role: "operator", scopes: [] };
    await actOnRollout(db.prisma, operator, id, "advance", {});
    await rollbackConfig(db.prisma, operator, "one-path", { reason: "complaints" });
    const kept = await db.prisma.rolloutReport.findMany({ where: { rolloutId: id }, orderBy: { id: "asc" } });
    expect(kept.map((r) => [r.event, r.stage, r.actor])).toEqual([
      ["advance", 0, "op@example.com"],
      ["rollback", 1, "op@example.com"],
    ]);
    const queued = await db.prisma.alertDelivery.findMany({ where: { rolloutId: id }, orderBy: { createdAt: "asc" } });
    expect(queued.map((d) => d.event)).toEqual(["stage_advance", "manual_rollback"]);
  });
});

describe("GET /api/admin/rollouts/{id}/samples", () => {
  it("lists the worst-rated and erroring canary requests, newest first, page by page", async () => {
    const id = await rolloutWithTraffic("samples");
    const low = await call(samples.GET, "GET", { auth, params: { id }, query: { maxRating: "2" } });
    expect(low.status).toBe(200);
    expect(low.body.samples.length).toBeGreaterThan(0);
    expect(low.body.samples.every((s: { rating: number }) => s.rating <= 2)).toBe(true);
    expect(low.body.samples[0]).toMatchObject({ output: expect.stringMatching(/^answer \d+$/) });

    const either = await call(samples.GET, "GET", { auth, params: { id }, query: { maxRating: "1", errors: "true", limit: "2" } });
    expect(either.body.samples).toHaveLength(2);
    expect(either.body.samples.every((s: { rating: number | null; isError: boolean }) => s.isError || s.rating === 1)).toBe(true);
    const next = await call(samples.GET, "GET", { auth, params: { id }, query: { maxRating: "1", errors: "true", limit: "2", cursor: either.body.nextCursor } });
    expect(next.body.samples.map((s: { requestId: string }) => s.requestId)).not.toContain(either.body.samples[1].requestId);

    const stable = await call(samples.GET, "GET", { auth, params: { id }, query: { variant: "stable", limit: "200" } });
    expect(stable.body).toMatchObject({ nextCursor: null });
    expect(stable.body.samples).toHaveLength(200);
    const bad = await call(samples.GET, "GET", { auth, params: { id }, query: { maxRating: "9" } });
    expect(bad.body.error).toMatchObject({ message: "The `maxRating` field must be from 1 to 5." });
  });
});
