import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as configs from "@/app/api/admin/configs/route";
import type { Actor } from "@/lib/auth/actor";
import { checkApiKey } from "@/lib/auth/api-key-check";
import { createApiKey, databaseKeys, listApiKeys, revokeApiKey } from "@/lib/auth/api-key-service";
import { KeyUsage } from "@/lib/auth/key-usage";
import { passwordHashCost } from "@/lib/auth/passwords";
import { authenticate, changePassword, createUser, ensureBootstrapAdmin } from "@/lib/auth/user-service";
import { setDatabase } from "@/lib/db/client";
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { call } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const cli: Actor = { type: "system", id: null, label: "cli", scopes: [] };

describe("first start", () => {
  it("creates one admin with a generated password, once", async () => {
    const first = await ensureBootstrapAdmin(db.prisma, {});
    expect(first?.email).toBe("admin@llm-canary.local");
    expect(first?.generatedPassword).toMatch(/^[0-9a-z]{20}$/);
    const stored = await db.prisma.user.findUniqueOrThrow({ where: { email: "admin@llm-canary.local" } });
    expect(stored.role).toBe("admin");
    expect(stored.mustChangePassword).toBe(true);
    expect(stored.passwordHash).not.toContain(first!.generatedPassword!);
    // bcrypt, at the configured cost (12 unless LLM_CANARY_PASSWORD_HASH_COST says otherwise).
    expect(stored.passwordHash).toMatch(new RegExp(`^hmac-sha256:\\$2[aby]\\$${String(passwordHashCost()).padStart(2, "0")}\\$`));
    expect(await authenticate(db.prisma, "admin@llm-canary.local", first!.generatedPassword!)).toMatchObject({ role: "admin" });
    expect(await ensureBootstrapAdmin(db.prisma, {})).toBeNull();
    expect(await db.prisma.user.count()).toBe(1);
  });
});

describe("users", () => {
  it("stores a bcrypt hash, signs in case-insensitively by e-mail, and refuses a wrong password", async () => {
    const { user, generatedPassword } = await createUser(db.prisma, cli, {
      email: "Ops@Example.com",
      role: "operator",
      password: "correct horse battery",
    });
    expect(generatedPassword).toBeNull();
    expect(user.email).toBe("ops@example.com");
    expect(await authenticate(db.prisma, "OPS@example.com", "correct horse battery")).toMatchObject({ id: user.id, role: "operator" });
    expect(await authenticate(db.prisma, "ops@example.com", "wrong horse battery")).toBeNull();
    expect(await authenticate(db.prisma, "nobody@example.com", "correct horse battery")).toBeNull();
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { entityId: user.id } });
    expect(audit).toMatchObject({ action: "user.create", actorType: "system", actorLabel: "cli" });
    expect(JSON.stringify(audit.after)).not.toContain("passwordHash");
  });

  it("refuses a duplicate e-mail, an unknown role and a short password without writing anything", async () => {
    await createUser(db.prisma, cli, { email: "dup@example.com", role: "viewer" });
    const before = await db.prisma.user.count();
    await expect(createUser(db.prisma, cli, { email: "DUP@example.com", role: "viewer" })).rejects.toBeInstanceOf(ConflictError);
    await expect(createUser(db.prisma, cli, { email: "x@example.com", role: "boss" })).rejects.toThrow(
      "The `role` field must be one of viewer, editor, operator, admin.",
    );
    await expect(createUser(db.prisma, cli, { email: "y@example.com", role: "viewer", password: "short" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await db.prisma.user.count()).toBe(before);
  });
});

describe("API keys", () => {
  it("stores only the selector and a hash, verifies the key, and refuses it after revocation", async () => {
    const { key, apiKey } = await createApiKey(db.prisma, cli, { name: "ci", scopes: ["route", "metrics", "route"] });
    expect(apiKey.scopes).toEqual(["route", "metrics"]);
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    const secret = key.split("_")[2];
    expect(JSON.stringify(row)).not.toContain(secret);
    const check = (presented: string) => checkApiKey(`Bearer ${presented}`, "route", databaseKeys(db.prisma), new KeyUsage());
    expect(await check(key)).toMatchObject({ id: apiKey.id });
    await expect(check(key.slice(0, -1) + (key.endsWith("a") ? "b" : "a"))).rejects.toBeInstanceOf(UnauthorizedError);
    await revokeApiKey(db.prisma, cli, apiKey.id);
    await expect(check(key)).rejects.toThrow('The API key "ci" has been revoked.');
    expect((await listApiKeys(db.prisma)).find((k) => k.id === apiKey.id)?.revokedAt).toBeInstanceOf(Date);
    const actions = await db.prisma.auditEvent.findMany({ where: { entityId: apiKey.id }, orderBy: { id: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["api_key.create", "api_key.revoke"]);
  });

  it("rejects unknown scopes and unknown ids", async () => {
    await expect(createApiKey(db.prisma, cli, { name: "x", scopes: ["everything"] })).rejects.toThrow(/`scopes.0` field must be one of/);
    await expect(createApiKey(db.prisma, cli, { name: "x", scopes: [] })).rejects.toThrow(/at least one scope/);
    await expect(revokeApiKey(db.prisma, cli, "key_missing")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("one-time passwords", () => {
  it("a generated password must be changed; the change checks the current one and is audited", async () => {
    const { user, generatedPassword } = await createUser(db.prisma, cli, { email: "new@example.com", role: "editor" });
    expect(user.mustChangePassword).toBe(true);
    const change = (body: { currentPassword: string; newPassword: string }) => changePassword(db.prisma, user.id, body, "198.51.100.1");
    await expect(change({ currentPassword: "wrong one", newPassword: "a brand new passphrase" })).rejects.toThrow(
      "The `currentPassword` field is not your current password.",
    );
    await expect(change({ currentPassword: generatedPassword!, newPassword: "short" })).rejects.toThrow(
      /`newPassword` field must be at least 12/,
    );
    await expect(change({ currentPassword: generatedPassword!, newPassword: generatedPassword! })).rejects.toThrow(
      /must differ from the current password/,
    );
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).mustChangePassword).toBe(true);

    const changed = await change({ currentPassword: generatedPassword!, newPassword: "a brand new passphrase" });
    expect(changed.mustChangePassword).toBe(false);
    expect(await authenticate(db.prisma, "new@example.com", generatedPassword!)).toBeNull();
    expect(await authenticate(db.prisma, "new@example.com", "a brand new passphrase")).toMatchObject({ id: user.id });
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { entityId: user.id, action: "user.change_password" } });
    expect(audit.actorId).toBe(user.id);
  });

  it("a password chosen by whoever created the user is not one-time", async () => {
    const { user } = await createUser(db.prisma, cli, { email: "chosen@example.com", role: "viewer", password: "chosen by the admin" });
    expect(user.mustChangePassword).toBe(false);
  });
});

// lastUsedAt is written in batches by every instance's timer. Two instances flushing overlapping
// sets of keys (in opposite orders) at the same moment must both succeed, and a later flush of an
// older use must not move a time backwards.
describe("API key lastUsedAt", () => {
  it("is written when a key is used on the admin API, as on the client API; not when it is refused", async () => {
    setDatabase(db); // the route handlers read the database through getDatabase()
    const lastUsed = async (id: string) => (await db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt;
    const admin = await createApiKey(db.prisma, cli, { name: "admin script", scopes: ["admin"] });
    const client = await createApiKey(db.prisma, cli, { name: "client only", scopes: ["route"] });
    const before = new Date();
    expect((await call(configs.GET, "GET", { auth: `Bearer ${admin.key}` })).status).toBe(200);
    const after = new Date();
    const used = await lastUsed(admin.apiKey.id);
    expect(used).toBeInstanceOf(Date);
    expect(used!.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(used!.getTime()).toBeLessThanOrEqual(after.getTime());
    expect((await call(configs.GET, "GET", { auth: `Bearer ${client.key}` })).status).toBe(403);
    expect(await lastUsed(client.apiKey.id)).toBeNull();
  });

  it("is written by concurrent flushes of overlapping keys, and only moves forward", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await createApiKey(db.prisma, cli, { name: `k${i}`, scopes: ["route"] })).apiKey.id);
    const base = Date.parse("2026-11-26T10:00:00Z");
    for (let round = 0; round < 15; round++) {
      const a = new KeyUsage();
      const b = new KeyUsage();
      ids.forEach((id, i) => a.touch(id, new Date(base + round * 1000 + i)));
      [...ids].reverse().forEach((id, i) => b.touch(id, new Date(base + round * 1000 + 500 + i)));
      await Promise.all([a.flush(db.prisma), b.flush(db.prisma)]);
    }
    const stale = new KeyUsage();
    stale.touch(ids[0], new Date(base));
    await stale.flush(db.prisma);

    const rows = await db.prisma.apiKey.findMany({ where: { id: { in: ids } } });
    expect(rows).toHaveLength(ids.length);
    const last = base + 14 * 1000;
    for (const row of rows) {
      const i = ids.indexOf(row.id);
      expect(row.lastUsedAt?.getTime()).toBe(Math.max(last + i, last + 500 + (ids.length - 1 - i)));
    }
  });
});
