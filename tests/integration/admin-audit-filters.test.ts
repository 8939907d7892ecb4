import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as facetsGet } from "@/app/api/admin/audit/facets/route";
import { GET as auditGet } from "@/app/api/admin/audit/route";
import { POST as createConfig } from "@/app/api/admin/configs/route";
import type { Actor } from "@/lib/auth/actor";
import { appendAuditEvent } from "@/lib/audit/repo";
import { setDatabase } from "@/lib/db/client";
import { adminKey, call, sessionFor } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The audit log's actor and action filters and its facets, through the route handlers, read by an
// admin, who sees every event (which events other roles see: audit-secrets.test.ts).

let db: TestDatabase;
let reader: string;
let key: string;
let keyId: string;

const controller: Actor = { type: "controller", id: null, label: "controller", scopes: [] };
const ana: Actor = { type: "user", id: "usr_ana", label: "ana@example.com", role: "operator", scopes: [] };
const ci: Actor = { type: "api_key", id: "key_ci", label: "key:ci", scopes: [] };

// Oldest first; the API answers newest first.
const EVENTS: [Actor, string, string][] = [
  [controller, "rollout.advance", "ro_1"],
  [ana, "rollout.rollback", "ro_1"],
  [controller, "rollout.advance", "ro_2"],
  [ci, "api_key.create", "key_x"],
  [ci, "apixkey.probe", "key_y"], // `_` in the prefix api_key.* must not match any character
  [ana, "rollout_extra.note", "ro_2"], // rollout.* must not match rollout_extra.*
  [controller, "rollout.rollback", "ro_2"],
];

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  // These two write the only other events: user.create and api_key.create, by "test".
  reader = (await sessionFor(db.prisma, "admin")).cookie;
  key = await adminKey(db.prisma);
  keyId = (await db.prisma.apiKey.findFirstOrThrow()).id;
  for (const [actor, action, entityId] of EVENTS) {
    await db.prisma.$transaction((tx) => appendAuditEvent(tx, { actor, action, entityType: action.split(".")[0], entityId }));
  }
});
afterAll(async () => {
  await db?.close();
});

async function audit(query: Record<string, string>) {
  const res = await call(auditGet, "GET", { cookie: reader, query });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { events: { id: string; actorLabel: string; action: string; entityId: string }[]; nextCursor: string | null };
}
const summary = (page: Awaited<ReturnType<typeof audit>>) => page.events.map((e) => `${e.actorLabel} ${e.action} ${e.entityId}`);

describe("GET /api/admin/audit filters", () => {
  it("actor matches the actor label exactly", async () => {
    expect(summary(await audit({ actor: "controller" }))).toEqual([
      "controller rollout.rollback ro_2",
      "controller rollout.advance ro_2",
      "controller rollout.advance ro_1",
    ]);
    expect(summary(await audit({ actor: "ana@example.com" }))).toEqual(["ana@example.com rollout_extra.note ro_2", "ana@example.com rollout.rollback ro_1"]);
    expect(summary(await audit({ actor: "key:ci" }))).toEqual(["key:ci apixkey.probe key_y", "key:ci api_key.create key_x"]);
    expect((await audit({ actor: "ana" })).events).toEqual([]);
    expect((await audit({ actor: "ANA@example.com" })).events).toEqual([]);
  });

  it("action matches one action exactly", async () => {
    expect(summary(await audit({ action: "rollout.rollback" }))).toEqual(["controller rollout.rollback ro_2", "ana@example.com rollout.rollback ro_1"]);
    expect((await audit({ action: "rollout" })).events).toEqual([]);
  });

  it("action ending in .* matches every action under that prefix, and only those", async () => {
    expect(summary(await audit({ action: "rollout.*" }))).toEqual([
      "controller rollout.rollback ro_2",
      "controller rollout.advance ro_2",
      "ana@example.com rollout.rollback ro_1",
      "controller rollout.advance ro_1",
    ]);
    expect(summary(await audit({ action: "api_key.*" }))).toEqual(["key:ci api_key.create key_x", `test api_key.create ${keyId}`]);
    expect((await audit({ action: "rollout.advance.*" })).events).toEqual([]);
  });

  it("filters combine with each other and with the rollout filter", async () => {
    expect(summary(await audit({ actor: "controller", action: "rollout.*" }))).toHaveLength(3);
    expect(summary(await audit({ actor: "controller", action: "rollout.rollback" }))).toEqual(["controller rollout.rollback ro_2"]);
    expect(summary(await audit({ rollout: "ro_2", action: "rollout.*" }))).toEqual(["controller rollout.rollback ro_2", "controller rollout.advance ro_2"]);
  });

  it("pages through a filtered log with the cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await audit({ actor: "controller", limit: "2", ...(cursor ? { cursor } : {}) });
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...summary(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["controller rollout.rollback ro_2", "controller rollout.advance ro_2", "controller rollout.advance ro_1"]);
  });

  it("keeps the config filter: events a config route wrote, found by config and actor", async () => {
    const created = await call(createConfig, "POST", { auth: key, body: { key: "audited", name: "Audited" } });
    expect(created.status).toBe(201);
    const label = (await db.prisma.auditEvent.findFirstOrThrow({ where: { entityId: created.body.id } })).actorLabel;
    expect(label).toMatch(/^key:/);
    expect(summary(await audit({ config: "audited", actor: label, action: "config.*" }))).toEqual([`${label} config.create ${created.body.id}`]);
    expect((await audit({ config: "audited", actor: "controller" })).events).toEqual([]);
  });

  it.each([
    [{ action: "rollout*" }, "action", "must be an action such as rollout.rollback, or a prefix ending in .* such as rollout.*"],
    [{ action: "*" }, "action", "must be an action such as rollout.rollback, or a prefix ending in .* such as rollout.*"],
    [{ action: "rollout.%" }, "action", "must be an action such as rollout.rollback, or a prefix ending in .* such as rollout.*"],
    [{ actor: "" }, "actor", "must not be empty"],
    [{ actor: "x".repeat(301) }, "actor", "must be at most 300 characters"],
    [{ who: "controller" }, "(root)", "has unknown field `who`"],
  ])("answers 400 naming the field for %j", async (query, field, message) => {
    const res = await call(auditGet, "GET", { cookie: reader, query });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details).toEqual([{ path: field, message }]);
    expect(res.body.error.message).toBe(field === "(root)" ? `The query ${message}.` : `The \`${field}\` field ${message}.`);
  });
});

describe("GET /api/admin/audit/facets", () => {
  it("answers the distinct actors and actions, sorted", async () => {
    const res = await call(facetsGet, "GET", { cookie: reader });
    expect(res.status).toBe(200);
    const labels = (await db.prisma.auditEvent.findMany({ select: { actorLabel: true } })).map((e) => e.actorLabel);
    expect(res.body.actors).toEqual([...new Set(labels)].sort());
    expect(res.body.actors).toEqual(expect.arrayContaining(["ana@example.com", "controller", "key:ci"]));
    expect(res.body.actors).toContain("test");
    expect(res.body.actions).toEqual(["api_key.create", "apixkey.probe", "config.create", "rollout.advance", "rollout.rollback", "rollout_extra.note", "user.create"]);
  });

  it("caps each list at 200", async () => {
    const many = Array.from({ length: 205 }, (_, i) => `bulk.action_${String(i).padStart(3, "0")}`);
    await db.prisma.auditEvent.createMany({
      data: many.map((action, i) => ({ actorType: "system" as const, actorLabel: `bulk-${String(i).padStart(3, "0")}`, action, entityType: "bulk", entityId: String(i) })),
    });
    const res = await call(facetsGet, "GET", { auth: key });
    expect(res.status).toBe(200);
    expect(res.body.actions).toHaveLength(200);
    expect(res.body.actors).toHaveLength(200);
    expect(res.body.actions).toEqual([...res.body.actions].sort());
    expect(res.body.actions[0]).toBe("api_key.create");
    expect(res.body.actions).toContain("bulk.action_000");
    expect(res.body.actions).not.toContain("rollout.rollback"); // sorted after the 200th
  });
});
