import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as revokeRoute } from "@/app/api/admin/api-keys/[id]/revoke/route";
import { GET as listKeys, POST as createKeyRoute } from "@/app/api/admin/api-keys/route";
import { GET as listConfigs } from "@/app/api/admin/configs/route";
import { PATCH as updateUser } from "@/app/api/admin/users/[id]/route";
import type { Actor } from "@/lib/auth/actor";
import { createApiKey } from "@/lib/auth/api-key-service";
import { setDatabase } from "@/lib/db/client";
import { call, sessionFor } from "../helpers/call";
import { send, startClientApiServer, waitFor, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// A key rests on the rights of the user who made it. The key list says who that was (the CLI for
// keys it made), and demoting that user below admin or disabling them revokes their keys in the
// same transaction, each with an audit event — including keys made with one of their keys.

const cli: Actor = { type: "system", id: null, label: "cli", scopes: [] };

let db: TestDatabase;
let srv: ClientApiServer;
const users = {} as Record<"ana" | "bo" | "cy", { cookie: string; userId: string; email: string }>;

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  for (const name of ["ana", "bo", "cy"] as const) {
    const session = await sessionFor(db.prisma, "admin");
    const { email } = await db.prisma.user.findUniqueOrThrow({ where: { id: session.userId } });
    users[name] = { ...session, email };
  }
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

interface KeyWire {
  id: string;
  name: string;
  createdBy: { userId: string | null; label: string };
  revokedAt: string | null;
}

async function createKey(credentials: { cookie?: string; auth?: string }, name: string, scopes: string[]) {
  const res = await call(createKeyRoute, "POST", { ...credentials, body: { name, scopes } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { bearer: `Bearer ${res.body.key as string}`, apiKey: res.body.apiKey as KeyWire };
}

async function keyList(): Promise<Record<string, KeyWire>> {
  const res = await call(listKeys, "GET", { cookie: users.bo.cookie });
  expect(res.status).toBe(200);
  return Object.fromEntries((res.body.apiKeys as KeyWire[]).map((k) => [k.name, k]));
}

const adminCall = async (bearer: string) => (await call(listConfigs, "GET", { auth: bearer })).status;
const routeCall = async (bearer: string) => (await send(srv.baseUrl, "/api/route?config=none&userId=u", { auth: bearer })).status;

describe("who made a key", () => {
  it("the key list names the user, the key a key was made with, or the CLI", async () => {
    const session = await createKey({ cookie: users.ana.cookie }, "ana admin", ["admin"]);
    await createKey({ auth: session.bearer }, "made with ana's key", ["route"]);
    await createApiKey(db.prisma, cli, { name: "from the cli", scopes: ["route"] });
    const keys = await keyList();
    expect(keys["ana admin"].createdBy).toEqual({ userId: users.ana.userId, label: users.ana.email });
    expect(keys["made with ana's key"].createdBy).toEqual({ userId: users.ana.userId, label: "key:ana admin" });
    expect(keys["from the cli"].createdBy).toEqual({ userId: null, label: "cli" });
  });
});

describe("a key stops working when its user may no longer make keys", () => {
  it("demoting the user below admin revokes their keys (and those made with them) at once, with an audit event each", async () => {
    const admin = await createKey({ cookie: users.ana.cookie }, "ana deploys", ["admin"]);
    const client = await createKey({ cookie: users.ana.cookie }, "ana's app", ["route"]);
    const child = await createKey({ auth: admin.bearer }, "made with ana deploys", ["admin"]);
    const others = await createKey({ cookie: users.bo.cookie }, "bo deploys", ["admin"]);
    for (const key of [admin, child]) expect(await adminCall(key.bearer)).toBe(200);
    await waitFor(async () => (await routeCall(client.bearer)) === 404); // known to the client API: an unknown config

    const demoted = await call(updateUser, "PATCH", { cookie: users.bo.cookie, params: { id: users.ana.userId }, body: { role: "operator" } });
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);

    for (const key of [admin, child]) expect(await adminCall(key.bearer)).toBe(401);
    await waitFor(async () => (await routeCall(client.bearer)) === 401);
    expect(await adminCall(others.bearer)).toBe(200); // another admin's key is untouched
    const keys = await keyList();
    for (const name of ["ana deploys", "ana's app", "made with ana deploys", "ana admin", "made with ana's key"]) expect(keys[name].revokedAt, name).not.toBeNull();
    expect(keys["bo deploys"].revokedAt).toBeNull();
    expect(keys["from the cli"].revokedAt).toBeNull();

    const events = await db.prisma.auditEvent.findMany({ where: { action: "api_key.revoke" }, orderBy: { id: "asc" } });
    const anaKeyIds = Object.values(keys).filter((k) => k.createdBy.userId === users.ana.userId).map((k) => k.id).sort();
    expect(events.map((e) => e.entityId).sort()).toEqual(anaKeyIds);
    for (const e of events) {
      expect(e.actorLabel).toBe(users.bo.email);
      expect(e.reason).toBe(`Its creator ${users.ana.email} is now an operator and may no longer make API keys.`);
    }
    // Written with the role change: the user.update event comes right before them.
    const update = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "user.update", entityId: users.ana.userId } });
    expect(events.map((e) => e.id - update.id)).toEqual(events.map((_, i) => BigInt(i + 1)));
  });

  it("disabling the user revokes their keys; a name change of an admin revokes nothing", async () => {
    const key = await createKey({ cookie: users.cy.cookie }, "cy deploys", ["admin"]);
    const renamed = await call(updateUser, "PATCH", { cookie: users.bo.cookie, params: { id: users.cy.userId }, body: { name: "Cy" } });
    expect(renamed.status).toBe(200);
    expect(await adminCall(key.bearer)).toBe(200);
    const disabled = await call(updateUser, "PATCH", { cookie: users.bo.cookie, params: { id: users.cy.userId }, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    expect(await adminCall(key.bearer)).toBe(401);
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "api_key.revoke", entityId: key.apiKey.id } });
    expect(event.reason).toBe(`Its creator ${users.cy.email} is disabled and may no longer make API keys.`);
    // Enabling the user again does not bring the key back.
    expect((await call(updateUser, "PATCH", { cookie: users.bo.cookie, params: { id: users.cy.userId }, body: { disabled: false } })).status).toBe(200);
    expect(await adminCall(key.bearer)).toBe(401);
  });

  it("a key made while its user's demotion is committing is refused, not left behind", async () => {
    const dan = await sessionFor(db.prisma, "admin");
    const danActor: Actor = { type: "user", id: dan.userId, label: "dan", role: "admin", scopes: [] };
    let creating!: Promise<unknown>;
    await db.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM users WHERE id = ${dan.userId} FOR UPDATE`; // as updateUser locks it
      creating = createApiKey(db.prisma, danActor, { name: "racing", scopes: ["admin"] }).then(
        () => "created",
        (error: Error) => error.message,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.user.update({ where: { id: dan.userId }, data: { role: "viewer" } });
    });
    expect(await creating).toMatch(/may no longer make API keys/);
    expect(await db.prisma.apiKey.count({ where: { name: "racing" } })).toBe(0);
  });

  it("revoking by hand still works and is audited without a reason", async () => {
    const key = await createKey({ cookie: users.bo.cookie }, "bo temp", ["route"]);
    const res = await call(revokeRoute, "POST", { cookie: users.bo.cookie, params: { id: key.apiKey.id } });
    expect(res.status).toBe(200);
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "api_key.revoke", entityId: key.apiKey.id } });
    expect(event.reason).toBeNull();
  });
});
