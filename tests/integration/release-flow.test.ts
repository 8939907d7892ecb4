import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as audit from "@/app/api/admin/audit/route";
import * as configRollback from "@/app/api/admin/configs/[key]/rollback/route";
import * as configOne from "@/app/api/admin/configs/[key]/route";
import * as diff from "@/app/api/admin/configs/[key]/diff/route";
import * as configRollouts from "@/app/api/admin/configs/[key]/rollouts/route";
import * as versionOne from "@/app/api/admin/configs/[key]/versions/[id]/route";
import * as versions from "@/app/api/admin/configs/[key]/versions/route";
import * as configs from "@/app/api/admin/configs/route";
import * as rolloutAction from "@/app/api/admin/rollouts/[id]/[action]/route";
import * as rolloutOne from "@/app/api/admin/rollouts/[id]/route";
import { setDatabase } from "@/lib/db/client";
import { adminKey, call } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let db: TestDatabase;
let auth: string;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  auth = await adminKey(db.prisma);
});
afterAll(async () => {
  await db?.close();
});

const v = (label: string, over: Record<string, unknown> = {}) => ({
  label,
  model: "gpt-4o",
  systemPrompt: "You are a support agent.\nBe brief.\n",
  temperature: 0.7,
  maxTokens: 1024,
  ...over,
});

describe("a config's life: versions, a canary, promotion and its revert", () => {
  it("goes through every step with the state and audit trail to match", async () => {
    const key = "support-chat";
    expect((await call(configs.POST, "POST", { auth, body: { key, name: "Support chat" } })).status).toBe(201);

    const v1 = await call(versions.POST, "POST", { auth, params: { key }, body: v("v1") });
    expect(v1.status).toBe(201);
    let detail = await call(configOne.GET, "GET", { auth, params: { key } });
    expect(detail.body.stableVersion).toMatchObject({ id: v1.body.id, label: "v1" });
    expect(detail.body.config.revision).toBe(1);

    const v2 = await call(versions.POST, "POST", {
      auth,
      params: { key },
      body: v("v2", { model: "gpt-4o-2026-05", temperature: 0.5, systemPrompt: "You are a support agent.\nBe brief and kind.\n" }),
    });
    expect(v2.status).toBe(201);
    expect(v2.body.parentVersionId).toBe(v1.body.id);
    expect((await call(versionOne.GET, "GET", { auth, params: { key, id: v2.body.id } })).body.label).toBe("v2");
    expect((await call(versions.GET, "GET", { auth, params: { key } })).body.versions.map((x: { label: string }) => x.label)).toEqual(["v2", "v1"]);

    const d = await call(diff.GET, "GET", { auth, params: { key }, query: { from: v1.body.id, to: v2.body.id } });
    expect(d.status).toBe(200);
    expect(d.body.changes.map((c: { summary: string }) => c.summary)).toEqual([
      "model gpt-4o → gpt-4o-2026-05",
      "message 1 (system) changed: 1 line added, 1 removed",
      "temperature 0.7 → 0.5",
    ]);
    expect(d.body.messages).toMatchObject([{ status: "changed", fromIndex: 0, toIndex: 0, added: 1, removed: 1 }]);
    expect(d.body.prompt).toMatchObject({ changed: true, added: 1, removed: 1 });

    const started = await call(configRollouts.POST, "POST", { auth, params: { key }, body: { canaryVersionId: v2.body.id } });
    expect(started.status).toBe(201);
    const ro = started.body;
    expect(ro).toMatchObject({ status: "running", currentStage: 0, percent: 1, canaryVersion: { label: "v2" }, baseVersion: { label: "v1" } });
    expect(ro.salt).toMatch(/^[0-9a-f]{16}$/);

    const second = await call(configRollouts.POST, "POST", { auth, params: { key }, body: { canaryVersionId: v2.body.id } });
    expect(second.status).toBe(409);
    expect(second.body.error.current.id).toBe(ro.id);

    const act = (action: string, body: unknown = {}) => call(rolloutAction.POST, "POST", { auth, params: { id: ro.id, action }, body });
    expect((await act("advance")).body).toMatchObject({ currentStage: 1, percent: 5 });
    expect((await act("pause")).body).toMatchObject({ status: "paused", percent: 5 });
    expect((await act("advance")).status).toBe(409);
    expect((await act("resume")).body.status).toBe("running");
    detail = await call(configOne.GET, "GET", { auth, params: { key } });
    expect(detail.body.config).toMatchObject({ canaryPercent: 5, activeRollout: { id: ro.id } });

    const promoted = await act("promote");
    expect(promoted.body).toMatchObject({ status: "promoted", percent: 0 });
    detail = await call(configOne.GET, "GET", { auth, params: { key } });
    expect(detail.body).toMatchObject({ stableVersion: { label: "v2" }, activeRollout: null, config: { canaryPercent: 0 } });

    expect((await call(configRollback.POST, "POST", { auth, params: { key }, body: {} })).status).toBe(400); // reason required
    const reverted = await call(configRollback.POST, "POST", { auth, params: { key }, body: { reason: "complaints up 30%" } });
    expect(reverted.status).toBe(200);
    expect(reverted.body).toMatchObject({ id: ro.id, status: "rolled_back", endReason: "complaints up 30%" });
    detail = await call(configOne.GET, "GET", { auth, params: { key } });
    expect(detail.body.stableVersion.label).toBe("v1");
    expect((await call(configRollback.POST, "POST", { auth, params: { key }, body: { reason: "again" } })).status).toBe(409);

    expect((await call(rolloutOne.GET, "GET", { auth, params: { id: ro.id } })).body.status).toBe("rolled_back");
    expect((await call(configRollouts.GET, "GET", { auth, params: { key } })).body.rollouts).toHaveLength(1);

    const page1 = await call(audit.GET, "GET", { auth, query: { config: key, limit: "5" } });
    expect(page1.body.events.map((e: { action: string }) => e.action)).toEqual([
      "rollout.revert_promotion",
      "rollout.promote",
      "rollout.resume",
      "rollout.pause",
      "rollout.advance",
    ]);
    const page2 = await call(audit.GET, "GET", { auth, query: { config: key, limit: "5", cursor: page1.body.nextCursor } });
    expect(page2.body.events.map((e: { action: string }) => e.action)).toEqual([
      "rollout.start",
      "version.create",
      "config.set_stable",
      "version.create",
      "config.create",
    ]);
    expect(page2.body.nextCursor).toBeNull();
    const byRollout = await call(audit.GET, "GET", { auth, query: { rollout: ro.id } });
    expect(byRollout.body.events).toHaveLength(6);
    expect(byRollout.body.events[0]).toMatchObject({ actorType: "api_key", reason: "complaints up 30%", before: { status: "promoted" }, after: { status: "rolled_back" } });
  });

  it("rolls an active rollout back in one call, with the reason", async () => {
    const key = "one-call";
    await call(configs.POST, "POST", { auth, body: { key, name: "One call" } });
    await call(versions.POST, "POST", { auth, params: { key }, body: v("v1") });
    const v2 = await call(versions.POST, "POST", { auth, params: { key }, body: v("v2", { temperature: 0.1 }) });
    const ro = await call(configRollouts.POST, "POST", { auth, params: { key }, body: { canaryVersionId: v2.body.id, autoPromote: true } });
    const res = await call(configRollback.POST, "POST", { auth, params: { key }, body: { reason: "用户投诉增加30%" } });
    expect(res.body).toMatchObject({ id: ro.body.id, status: "rolled_back", endReason: "用户投诉增加30%", percent: 0 });
    const detail = await call(configOne.GET, "GET", { auth, params: { key } });
    expect(detail.body).toMatchObject({ stableVersion: { label: "v1" }, activeRollout: null, config: { canaryPercent: 0 } });
  });
});

describe("route preview", () => {
  it("answers as the router does for the active rollout, and stable for everyone once it ends", async () => {
    const preview = await import("@/app/api/admin/configs/[key]/route-preview/route");
    const { bucketOf } = await import("@/lib/release/router");
    const key = "preview";
    await call(configs.POST, "POST", { auth, body: { key, name: "Preview" } });
    await call(versions.POST, "POST", { auth, params: { key }, body: v("v1") });
    const v2 = await call(versions.POST, "POST", { auth, params: { key }, body: v("v2", { temperature: 0.2 }) });
    const stages = [50, 100].map((percent) => ({ percent, minDurationSec: 0, minSamples: 0 }));
    const ro = (await call(configRollouts.POST, "POST", { auth, params: { key }, body: { canaryVersionId: v2.body.id, stages, exclude: ["vip"] } })).body;

    let canary = 0;
    for (let i = 0; i < 200; i++) {
      const userId = `u-${i}`;
      const res = await call(preview.GET, "GET", { auth, params: { key }, query: { userId } });
      const expected = bucketOf(ro.salt, userId) < 5000 ? "canary" : "stable";
      expect(res.body).toMatchObject({ variant: expected, reason: "bucket", bucket: bucketOf(ro.salt, userId), threshold: 5000, rolloutId: ro.id });
      expect(res.body.version.label).toBe(expected === "canary" ? "v2" : "v1");
      if (expected === "canary") canary++;
    }
    expect(canary).toBeGreaterThan(60);
    expect(canary).toBeLessThan(140);
    expect((await call(preview.GET, "GET", { auth, params: { key }, query: { userId: "vip" } })).body).toMatchObject({ variant: "stable", reason: "excluded" });

    await call(rolloutAction.POST, "POST", { auth, params: { id: ro.id, action: "abort" }, body: {} });
    const after = await call(preview.GET, "GET", { auth, params: { key }, query: { userId: "u-1" } });
    expect(after.body).toMatchObject({ variant: "stable", reason: "no_rollout", rolloutId: null, version: { label: "v1" } });
  });

  it.each([
    ["route-preview without a user", "route-preview", { key: "preview" }, {}, "userId"],
    ["diff without `to`", "diff", { key: "preview" }, { from: "ver_x" }, "to"],
    ["audit with limit 0", "audit", {}, { limit: "0" }, "limit"],
    ["audit with an unknown parameter", "audit", {}, { colour: "blue" }, "(root)"],
  ])("answers 400 for %s", async (_what, which, params, query, field) => {
    const handlers = {
      "route-preview": (await import("@/app/api/admin/configs/[key]/route-preview/route")).GET,
      diff: diff.GET,
      audit: audit.GET,
    } as const;
    const res = await call(handlers[which as keyof typeof handlers], "GET", { auth, params, query });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
  });
});
