import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createChannel } from "@/app/api/admin/alert-channels/route";
import { GET as auditGet } from "@/app/api/admin/audit/route";
import { POST as startRollout } from "@/app/api/admin/configs/[key]/rollouts/route";
import { DELETE as deleteScore } from "@/app/api/admin/configs/[key]/scores/[scoreKey]/route";
import { POST as createScore } from "@/app/api/admin/configs/[key]/scores/route";
import { POST as createVersion } from "@/app/api/admin/configs/[key]/versions/route";
import { POST as createConfig } from "@/app/api/admin/configs/route";
import { POST as rolloutAction } from "@/app/api/admin/rollouts/[id]/[action]/route";
import { POST as createUser } from "@/app/api/admin/users/route";
import { labelEvents } from "@/lib/audit/entity-labels";
import { appendAuditEvent } from "@/lib/audit/repo";
import { setDatabase } from "@/lib/db/client";
import type { DbOrTx } from "@/lib/db/types";
import { adminKey, call, sessionFor } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The audit API names what each event is about (entityLabel) and the config it belongs to
// (configKey), resolved on the server, so the console and any other reader of the API agree.

let db: TestDatabase;
let admin: string;
let adminEmail: string;
let auth: string;
let keyName: string;
let rolloutId: string;

interface EventWire {
  action: string;
  entityType: string;
  entityId: string;
  entityLabel: string | null;
  configId: string | null;
  configKey: string | null;
}

async function ok(res: Promise<{ status: number; body: unknown }>, status = 201) {
  const answer = await res;
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body as Record<string, unknown> & { id: string };
}

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  const session = await sessionFor(db.prisma, "admin");
  admin = session.cookie;
  adminEmail = (await db.prisma.user.findUniqueOrThrow({ where: { id: session.userId } })).email;
  auth = await adminKey(db.prisma);
  keyName = (await db.prisma.apiKey.findFirstOrThrow()).name;

  const key = "support-chat";
  await ok(call(createConfig, "POST", { cookie: admin, body: { key, name: "Support chat" } }));
  const version = (label: string, temperature: number) => ({ label, model: "gpt-4o", systemPrompt: "Be brief.", temperature, maxTokens: 256 });
  await ok(call(createVersion, "POST", { cookie: admin, params: { key }, body: version("v1", 0.7) }));
  const v2 = await ok(call(createVersion, "POST", { cookie: admin, params: { key }, body: version("v2", 0.4) }));
  rolloutId = (await ok(call(startRollout, "POST", { cookie: admin, params: { key }, body: { canaryVersionId: v2.id } }))).id;
  await ok(call(rolloutAction, "POST", { auth, params: { id: rolloutId, action: "rollback" }, body: { reason: "answers too long" } }), 200);
  await ok(call(createScore, "POST", { cookie: admin, params: { key }, body: { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 } }));
  await ok(call(deleteScore, "DELETE", { cookie: admin, params: { key, scoreKey: "groundedness" } }), 200);
  await ok(call(createUser, "POST", { cookie: admin, body: { email: "ana@example.com", name: "Ana Lima", role: "viewer", password: "a long enough password" } }));
  await ok(call(createChannel, "POST", { cookie: admin, body: { name: "ops pager", kind: "webhook", url: "https://hooks.example.com/abc" } }));
  const system = { type: "system", id: null, label: "test" } as const;
  await db.prisma.$transaction((tx) => appendAuditEvent(tx, { actor: system, action: "widget.poke", entityType: "widget", entityId: "wid_1" }));
});
afterAll(async () => {
  await db?.close();
});

async function events(): Promise<EventWire[]> {
  const res = await call(auditGet, "GET", { cookie: admin, query: { limit: "200" } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.events;
}

describe("GET /api/admin/audit labels", () => {
  it("names each event's entity and config instead of raw ids", async () => {
    const named = (await events()).map((e) => `${e.action} ${e.entityLabel} [${e.configKey}]`).reverse();
    expect(named).toEqual([
      `user.create ${adminEmail} [null]`,
      `api_key.create ${keyName} [null]`,
      "config.create support-chat [support-chat]",
      "version.create v1 [support-chat]",
      "config.set_stable support-chat [support-chat]",
      "version.create v2 [support-chat]",
      "rollout.start support-chat canary v2 [support-chat]",
      "rollout.rollback support-chat canary v2 [support-chat]",
      "score.create groundedness [support-chat]",
      // The score's row is gone: its name comes from the event's snapshot.
      "score.delete groundedness [support-chat]",
      "user.create Ana Lima (ana@example.com) [null]",
      "alert_channel.create ops pager [null]",
      "widget.poke null [null]",
    ]);
  });

  it("keeps the raw ids beside the labels", async () => {
    const rollback = (await events()).find((e) => e.action === "rollout.rollback")!;
    expect(rollback).toMatchObject({ entityType: "rollout", entityId: rolloutId, entityLabel: "support-chat canary v2", configKey: "support-chat" });
    expect(rollback.configId).toMatch(/^cfg_/);
  });
});

describe("labelEvents", () => {
  it("loads a page's labels with one query per entity type, whatever the number of events", async () => {
    const rows = await db.prisma.auditEvent.findMany({ orderBy: { id: "asc" } });
    let operations = 0;
    const counting = db.prisma.$extends({
      query: {
        $allOperations({ args, query }) {
          operations += 1;
          return query(args);
        },
      },
    }) as unknown as DbOrTx;
    const labels = await labelEvents(counting, rows);
    expect(labels).toHaveLength(rows.length);
    // user, api_key, config (also every event's configKey), version, rollout, score, alert_channel.
    expect(new Set(rows.map((r) => r.entityType))).toEqual(new Set(["user", "api_key", "config", "version", "rollout", "score", "alert_channel", "widget"]));
    expect(rows.length).toBeGreaterThan(7);
    expect(operations).toBe(7);

    operations = 0;
    const doubled = await labelEvents(counting, [...rows, ...rows]);
    expect(doubled).toEqual([...labels, ...labels]);
    expect(operations).toBe(7);
  });
});
