import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as auditGet } from "@/app/api/admin/audit/route";
import { PATCH } from "@/app/api/admin/users/[id]/route";
import { GET, POST } from "@/app/api/admin/users/route";
import { authenticate } from "@/lib/auth/user-service";
import { setDatabase } from "@/lib/db/client";
import { adminKey, call, sessionCookieOf, sessionFor } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The users admin API through its route handlers, against a real database: list, create,
// change role/name/disabled, the guards that keep at least one admin, and the audit trail.

let db: TestDatabase;
let key: string; // an admin API key: not a user, so it is never "self"
let admin: { cookie: string; userId: string };
let adminEmail: string;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  key = await adminKey(db.prisma);
  admin = await sessionFor(db.prisma, "admin");
  adminEmail = (await db.prisma.user.findUniqueOrThrow({ where: { id: admin.userId } })).email;
});
afterAll(async () => {
  await db?.close();
});

const asAdmin = () => ({ cookie: admin.cookie });
const asKey = () => ({ auth: key });
const patch = (id: string, body: unknown, who: { cookie?: string; auth?: string } = asKey()) => call(PATCH, "PATCH", { ...who, params: { id }, body });
const auditOf = (entityId: string) => db.prisma.auditEvent.findMany({ where: { entityId }, orderBy: { id: "asc" } });
/** The time as an ISO string lies between `from` (ms) and now: it was set by what ran since. */
function expectSetSince(iso: string, from: number): void {
  const at = new Date(iso).getTime();
  expect(at).toBeGreaterThanOrEqual(from);
  expect(at).toBeLessThanOrEqual(Date.now());
}

async function newUser(role: string, extra: Record<string, unknown> = {}) {
  const email = `${role}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const res = await call(POST, "POST", { ...asKey(), body: { email, role, password: "a long enough password", ...extra } });
  expect(res.status).toBe(201);
  return res.body.user as { id: string; email: string; role: string };
}

/** Demotes every enabled admin but those in `keep` (through the API, as the admin key). */
async function leaveOnlyAdmins(...keep: string[]) {
  const others = await db.prisma.user.findMany({ where: { role: "admin", disabledAt: null, id: { notIn: keep } } });
  for (const other of others) expect((await patch(other.id, { role: "viewer" })).status).toBe(200);
  expect(await db.prisma.user.count({ where: { role: "admin", disabledAt: null } })).toBe(keep.length);
}

describe("GET /api/admin/users", () => {
  it("lists users by e-mail with last sign-in and disabled state, never a password hash", async () => {
    await newUser("viewer");
    const res = await call(GET, "GET", asAdmin());
    expect(res.status).toBe(200);
    const emails = res.body.users.map((u: { email: string }) => u.email);
    expect(emails).toEqual([...emails].sort());
    const me = res.body.users.find((u: { id: string }) => u.id === admin.userId);
    expect(me).toMatchObject({ email: adminEmail, role: "admin", disabledAt: null, lastLoginAt: null, mustChangePassword: false });
    expect(Object.keys(me).sort()).toEqual(["createdAt", "disabledAt", "email", "id", "lastLoginAt", "mustChangePassword", "name", "role"]);
    expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|\$2[aby]\$/);
  });

  it("shows when a user last signed in", async () => {
    const user = await newUser("editor");
    const signIn = Date.now();
    await authenticate(db.prisma, user.email, "a long enough password");
    const listed = (await call(GET, "GET", asKey())).body.users.find((u: { id: string }) => u.id === user.id);
    expectSetSince(listed.lastLoginAt, signIn);
  });
});

describe("POST /api/admin/users", () => {
  it("creates a user with a given password (201, no generated password) and audits who did it", async () => {
    const res = await call(POST, "POST", { ...asAdmin(), body: { email: "Given@Example.com", role: "operator", name: "Gi Ven", password: "chosen by the admin" } });
    expect(res.status).toBe(201);
    expect(res.body.generatedPassword).toBeNull();
    expect(res.body.user).toMatchObject({ email: "given@example.com", role: "operator", name: "Gi Ven", mustChangePassword: false, disabledAt: null });
    expect(res.body.user.id).toMatch(/^usr_/);
    expect(await authenticate(db.prisma, "given@example.com", "chosen by the admin")).toMatchObject({ id: res.body.user.id });
    const [event] = await auditOf(res.body.user.id);
    expect(event).toMatchObject({ action: "user.create", actorType: "user", actorId: admin.userId, actorLabel: adminEmail, before: null });
    expect(event.after).toMatchObject({ email: "given@example.com", role: "operator" });
    expect(JSON.stringify(event.after)).not.toContain("passwordHash");
  });

  it("generates a one-time password when none is given, shown only in this response", async () => {
    const res = await call(POST, "POST", { ...asAdmin(), body: { email: "onetime@example.com", role: "viewer" } });
    expect(res.status).toBe(201);
    expect(res.body.generatedPassword).toMatch(/^[0-9a-z]{20}$/);
    expect(res.body.user.mustChangePassword).toBe(true);
    expect(await authenticate(db.prisma, "onetime@example.com", res.body.generatedPassword)).toMatchObject({ id: res.body.user.id });
    const listed = await call(GET, "GET", asAdmin());
    expect(JSON.stringify(listed.body)).not.toContain(res.body.generatedPassword);
  });

  it("answers 409 for an e-mail that exists (in any case) and stores nothing", async () => {
    await newUser("viewer", { email: "taken@example.com" });
    const before = await db.prisma.user.count();
    const res = await call(POST, "POST", { ...asAdmin(), body: { email: "TAKEN@example.com", role: "editor" } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", message: "A user with e-mail taken@example.com already exists." });
    expect(await db.prisma.user.count()).toBe(before);
  });

  it.each([
    [{ email: "r@example.com", role: "boss" }, "role", "The `role` field must be one of viewer, editor, operator, admin."],
    [{ email: "not-an-email", role: "viewer" }, "email", "The `email` field must be an e-mail address."],
    [{ email: "p@example.com", role: "viewer", password: "short" }, "password", "The `password` field must be at least 12 characters."],
    [{ email: "n@example.com", role: "viewer", name: "  " }, "name", "The `name` field must not be empty."],
    [{ email: "x@example.com", role: "viewer", passwrod: "a long enough password" }, "(root)", "The request body has unknown field `passwrod`."],
  ])("answers 400 naming the field for %j, and stores nothing", async (body, field, message) => {
    const before = { users: await db.prisma.user.count(), audit: await db.prisma.auditEvent.count() };
    const res = await call(POST, "POST", { ...asAdmin(), body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", message });
    expect(res.body.error.details[0].path).toBe(field);
    expect({ users: await db.prisma.user.count(), audit: await db.prisma.auditEvent.count() }).toEqual(before);
  });
});

describe("PATCH /api/admin/users/{id}", () => {
  it("changes role and name, answers the user, and audits before and after", async () => {
    const user = await newUser("viewer");
    const res = await patch(user.id, { role: "editor", name: "Ed Itor" }, asAdmin());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, role: "editor", name: "Ed Itor", disabledAt: null });
    const cleared = await patch(user.id, { name: null }, asAdmin());
    expect(cleared.body).toMatchObject({ role: "editor", name: null });

    const events = await auditOf(user.id);
    expect(events.map((e) => e.action)).toEqual(["user.create", "user.update", "user.update"]);
    expect(events[1]).toMatchObject({ actorType: "user", actorLabel: adminEmail, before: { role: "viewer", name: null }, after: { role: "editor", name: "Ed Itor" } });
    expect(events[2]).toMatchObject({ before: { name: "Ed Itor" }, after: { name: null } });
    expect(JSON.stringify(events.map((e) => [e.before, e.after]))).not.toContain("passwordHash");
  });

  it("a change to nothing writes nothing", async () => {
    const user = await newUser("operator");
    const res = await patch(user.id, { role: "operator", disabled: false });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe("operator");
    expect((await auditOf(user.id)).map((e) => e.action)).toEqual(["user.create"]);
  });

  it("answers 404 for an unknown id", async () => {
    const res = await patch("usr_missing", { role: "viewer" });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found", message: "No user with id usr_missing." });
  });

  it.each([
    [{ role: "root" }, "role", "The `role` field must be one of viewer, editor, operator, admin."],
    [{ disabled: "yes" }, "disabled", "The `disabled` field must be a boolean, not a string."],
    [{ name: "" }, "name", "The `name` field must not be empty."],
    [{ role: "editor", email: "new@example.com" }, "(root)", "The request body has unknown field `email`."],
    [{}, "(root)", "The request body must contain at least one of `role`, `name`, `disabled`."],
  ])("answers 400 naming the field for %j, and changes nothing", async (body, field, message) => {
    const user = await newUser("viewer");
    const res = await patch(user.id, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", message });
    expect(res.body.error.details[0].path).toBe(field);
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ role: "viewer", disabledAt: null });
    expect(await auditOf(user.id)).toHaveLength(1);
  });

  it("an admin cannot demote or disable themselves, even with other admins present", async () => {
    await newUser("admin");
    const demote = await patch(admin.userId, { role: "operator" }, asAdmin());
    expect(demote.status).toBe(400);
    expect(demote.body.error).toMatchObject({ message: "You cannot change your own role; another admin has to." });
    expect(demote.body.error.details).toEqual([{ path: "role", message: "cannot demote yourself" }]);
    const disable = await patch(admin.userId, { disabled: true }, asAdmin());
    expect(disable.status).toBe(400);
    expect(disable.body.error).toMatchObject({ message: "You cannot disable your own account; another admin has to." });
    // Their own name is theirs to change.
    expect((await patch(admin.userId, { name: "The Admin" }, asAdmin())).status).toBe(200);
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: admin.userId } })).toMatchObject({ role: "admin", disabledAt: null });
  });

  it("the last enabled admin can be neither demoted nor disabled (409 with the current user)", async () => {
    await leaveOnlyAdmins(admin.userId);
    const demote = await patch(admin.userId, { role: "editor" });
    expect(demote.status).toBe(409);
    expect(demote.body.error).toMatchObject({
      code: "conflict",
      message: `${adminEmail} is the last enabled admin and cannot be demoted; make another user an admin first.`,
      current: { id: admin.userId, role: "admin", disabledAt: null },
    });
    const disable = await patch(admin.userId, { disabled: true });
    expect(disable.status).toBe(409);
    expect(disable.body.error.message).toContain("is the last enabled admin and cannot be disabled");

    // A disabled admin does not count: disabling the second-to-last admin leaves one.
    const second = await newUser("admin");
    expect((await patch(second.id, { disabled: true })).status).toBe(200);
    expect((await patch(admin.userId, { role: "editor" })).status).toBe(409);
    // Once another admin is enabled again, the first may go.
    expect((await patch(second.id, { disabled: false })).status).toBe(200);
    expect((await patch(admin.userId, { name: "still admin" })).status).toBe(200);
    expect(await db.prisma.user.count({ where: { role: "admin", disabledAt: null } })).toBe(2);
  });

  it("of two concurrent demotions of the last two admins, exactly one wins", async () => {
    for (let round = 0; round < 5; round++) {
      const a = await newUser("admin");
      const b = await newUser("admin");
      await leaveOnlyAdmins(a.id, b.id);
      const results = await Promise.all([patch(a.id, { role: "viewer" }), patch(b.id, { disabled: true })]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await db.prisma.user.count({ where: { role: "admin", disabledAt: null } })).toBe(1);
    }
    // Promoting needs no guard: the signed-in admin of the other tests is back.
    expect((await patch(admin.userId, { role: "admin" })).status).toBe(200);
  });

  it("a disabled user cannot sign in, and their sessions end at once, for good", async () => {
    const editor = await sessionFor(db.prisma, "editor");
    const email = (await db.prisma.user.findUniqueOrThrow({ where: { id: editor.userId } })).email;
    expect((await call(auditGet, "GET", { cookie: editor.cookie })).status).toBe(200);

    const disabling = Date.now();
    const disabled = await patch(editor.userId, { disabled: true }, asAdmin());
    expect(disabled.status).toBe(200);
    expectSetSince(disabled.body.disabledAt, disabling);
    const refused = await call(auditGet, "GET", { cookie: editor.cookie });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ code: "unauthorized", message: "Your session is no longer valid; sign in again." });
    expect(await authenticate(db.prisma, email, "a long enough password")).toBeNull();

    const [, event] = await auditOf(editor.userId);
    expect(event).toMatchObject({ action: "user.update", actorLabel: adminEmail, before: { disabledAt: null } });
    expect((event.after as { disabledAt: string }).disabledAt).toBe(disabled.body.disabledAt);

    // Enabled again, they sign in again: the sessions disabling ended stay ended.
    expect((await patch(editor.userId, { disabled: false }, asAdmin())).body.disabledAt).toBeNull();
    expect((await call(auditGet, "GET", { cookie: editor.cookie })).status).toBe(401);
    expect(await authenticate(db.prisma, email, "a long enough password")).toMatchObject({ id: editor.userId });
    expect((await call(auditGet, "GET", { cookie: await sessionCookieOf(db.prisma, editor.userId) })).status).toBe(200);
  });

  it("a role change applies to the user's next request, without signing in again", async () => {
    const operator = await sessionFor(db.prisma, "operator");
    expect((await call(GET, "GET", { cookie: operator.cookie })).status).toBe(403);
    expect((await patch(operator.userId, { role: "admin" })).status).toBe(200);
    expect((await call(GET, "GET", { cookie: operator.cookie })).status).toBe(200);
  });
});

describe("only admins manage users", () => {
  it.each(["viewer", "editor", "operator"] as const)("a %s gets 403 on every users endpoint and changes nothing", async (role) => {
    const { cookie } = await sessionFor(db.prisma, role);
    const target = await newUser("viewer");
    const before = { users: await db.prisma.user.count(), audit: await db.prisma.auditEvent.count() };
    const answers = [
      await call(GET, "GET", { cookie }),
      await call(POST, "POST", { cookie, body: { email: `by-${role}@example.com`, role: "admin" } }),
      await call(PATCH, "PATCH", { cookie, params: { id: target.id }, body: { role: "admin" } }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: "forbidden", message: expect.stringContaining("`users:manage`") });
    }
    expect({ users: await db.prisma.user.count(), audit: await db.prisma.auditEvent.count() }).toEqual(before);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: target.id } })).role).toBe("viewer");
  });
});
