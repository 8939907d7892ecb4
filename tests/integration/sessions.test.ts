import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as createApiKeyRoute } from "@/app/api/admin/api-keys/route";
import { GET as auditGet } from "@/app/api/admin/audit/route";
import { GET as configsGet } from "@/app/api/admin/configs/route";
import { POST as createUserRoute } from "@/app/api/admin/users/route";
import { changePassword, createUser } from "@/lib/auth/user-service";
import { setDatabase } from "@/lib/db/client";
import { call, ensureTestAuthSecret, sessionCookieOf } from "../helpers/call";
import { sessionThroughNextAuth, signInThroughNextAuth, signOutThroughNextAuth } from "../helpers/next-auth";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// When a session ends: signing out, a new password, a one-time password replaced, and cookies
// that were never a session. Each case is checked where sessions are trusted: the admin API
// (resolveActor) and next-auth's session endpoint, which runs the same check pages go through.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
});
afterAll(async () => {
  await db?.close();
});

const system = { type: "system", id: null, label: "test", scopes: [] } as const;
const PASSWORD = "a long enough password";

/** A user with PASSWORD, or with a generated one-time password. */
async function newUser(role: "viewer" | "admin" = "viewer", { oneTime = false } = {}) {
  const email = `${role}-${randomBytes(4).toString("hex")}@example.com`;
  const created = await createUser(db.prisma, system, { email, role, password: oneTime ? undefined : PASSWORD });
  return { id: created.user.id, email, password: created.generatedPassword ?? PASSWORD };
}

/** Signs in through next-auth; the cookie, or a failed test. */
async function signIn(email: string, password: string): Promise<string> {
  const cookie = await signInThroughNextAuth(email, password);
  expect(cookie, `sign-in of ${email}`).not.toBeNull();
  return cookie!;
}

const adminApi = (cookie: string) => call(auditGet, "GET", { cookie });
const ENDED = { code: "unauthorized", message: "Your session is no longer valid; sign in again." };

describe("signing out", () => {
  it("ends the session it came from: copies of its cookie are refused, the user's other sessions go on", async () => {
    const user = await newUser();
    const laptop = await signIn(user.email, user.password);
    const phone = await signIn(user.email, user.password);
    const copy = laptop; // e.g. left in another tab, a proxy's log, or taken by malware
    expect((await adminApi(laptop)).status).toBe(200);
    expect(await sessionThroughNextAuth(laptop)).toMatchObject({ user: { email: user.email } });

    expect(await signOutThroughNextAuth(laptop)).toBe(302);

    const refused = await adminApi(copy);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject(ENDED);
    expect(await sessionThroughNextAuth(copy)).toBeNull();
    // Sign-out on one device leaves the others signed in (README: Security).
    expect((await adminApi(phone)).status).toBe(200);
    expect(await sessionThroughNextAuth(phone)).toMatchObject({ user: { email: user.email } });
  });
});

describe("a new password", () => {
  it("ends every session of the user at once; the old password stops working, the new one signs in", async () => {
    const user = await newUser();
    const sessions = [await signIn(user.email, user.password), await signIn(user.email, user.password)];
    for (const cookie of sessions) expect((await adminApi(cookie)).status).toBe(200);

    await changePassword(db.prisma, user.id, { currentPassword: user.password, newPassword: "another long password" }, "192.0.2.20");

    for (const cookie of sessions) {
      const refused = await adminApi(cookie);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toMatchObject(ENDED);
      expect(await sessionThroughNextAuth(cookie)).toBeNull();
    }
    expect(await signInThroughNextAuth(user.email, user.password)).toBeNull();
    expect((await adminApi(await signIn(user.email, "another long password"))).status).toBe(200);
  });
});

describe("one-time passwords", () => {
  it("a session signed in with one may not use the admin API (403), e.g. to make itself an admin key", async () => {
    const user = await newUser("admin", { oneTime: true });
    const cookie = await signIn(user.email, user.password);
    const keysBefore = await db.prisma.apiKey.count();
    const usersBefore = await db.prisma.user.count();

    const answers = {
      key: await call(createApiKeyRoute, "POST", { cookie, body: { name: "mine now", scopes: ["admin"] } }),
      user: await call(createUserRoute, "POST", { cookie, body: { email: `x-${user.email}`, role: "admin", password: PASSWORD } }),
      read: await call(configsGet, "GET", { cookie }),
    };
    for (const res of Object.values(answers)) {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: "password_change_required", message: expect.stringContaining("/account/password") });
    }
    expect(await db.prisma.apiKey.count()).toBe(keysBefore);
    expect(await db.prisma.user.count()).toBe(usersBefore);
    // Pages still know the session (they send it to /account/password, lib/auth/session.ts requireUser).
    expect(await sessionThroughNextAuth(cookie)).toMatchObject({ user: { email: user.email } });
  });

  it("once replaced, the generated password signs in no more and every session made with it has ended", async () => {
    const user = await newUser("admin", { oneTime: true });
    const first = await signIn(user.email, user.password);
    const second = await signIn(user.email, user.password); // works until replaced (README: Security)

    await changePassword(db.prisma, user.id, { currentPassword: user.password, newPassword: "chosen by the user" }, "192.0.2.21");

    expect(await signInThroughNextAuth(user.email, user.password)).toBeNull();
    for (const cookie of [first, second]) {
      expect((await adminApi(cookie)).status).toBe(401);
      expect(await sessionThroughNextAuth(cookie)).toBeNull();
    }
    const own = await signIn(user.email, "chosen by the user");
    expect((await call(createApiKeyRoute, "POST", { cookie: own, body: { name: "ci", scopes: ["admin"] } })).status).toBe(201);
  });
});

describe("cookies that are no (longer a) session", () => {
  const logged: unknown[][] = [];
  const spies: { mockRestore(): void }[] = [];
  beforeAll(() => {
    for (const level of ["error", "warn", "info", "log", "debug"] as const) {
      spies.push(vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args)));
    }
  });
  afterAll(() => spies.forEach((spy) => spy.mockRestore()));
  afterEach(() => void logged.splice(0));

  /** Every log call since the last check: each a single line of text, none holding `secret`. */
  function expectOneLineEach(count: number, secret: string): string[] {
    expect(logged).toHaveLength(count);
    return logged.map((args) => {
      expect(args).toHaveLength(1);
      expect(typeof args[0]).toBe("string");
      const line = args[0] as string;
      expect(line).not.toContain("\n");
      expect(line).not.toContain(secret);
      return line;
    });
  }

  it("a tampered, foreign or garbage cookie is refused with one log line per refusal and no stack", async () => {
    const user = await newUser();
    const good = (await signIn(user.email, user.password)).split("=")[1];
    const middle = Math.floor(good.length / 2);
    const foreign = await encode({ token: { sub: user.id }, secret: "some other secret", salt: "authjs.session-token", maxAge: 3600 });
    const values = {
      tampered: `${good.slice(0, middle)}${good[middle] === "A" ? "B" : "A"}${good.slice(middle + 1)}`,
      foreign,
      garbage: "not-a-session-at-all",
    };
    logged.splice(0);
    for (const [what, value] of Object.entries(values)) {
      const cookie = `authjs.session-token=${value}`;
      expect(await sessionThroughNextAuth(cookie), what).toBeNull();
      const refused = await adminApi(cookie);
      expect(refused.status, what).toBe(401);
      const [page, api] = expectOneLineEach(2, value);
      expect(page).toMatch(/^\[auth\] console: session refused: the cookie is not a valid session/);
      expect(api).toMatch(/^\[auth\] admin API: session refused: the cookie is not a valid session/);
      logged.splice(0);
    }
  });

  it("an ended session is refused with one line naming the user and why; a missing cookie logs nothing", async () => {
    const user = await newUser();
    const cookie = await sessionCookieOf(db.prisma, user.id);
    await signOutThroughNextAuth(cookie);
    logged.splice(0);
    expect((await adminApi(cookie)).status).toBe(401);
    expect(await sessionThroughNextAuth(cookie)).toBeNull();
    const lines = expectOneLineEach(2, cookie.split("=")[1]);
    expect(lines).toEqual([
      `[auth] admin API: session of ${user.id} refused: it was signed out`,
      `[auth] console: session of ${user.id} refused: it was signed out`,
    ]);
    logged.splice(0);
    expect((await call(auditGet, "GET")).status).toBe(401);
    expect(logged).toEqual([]);
  });

  it("a cookie signed before sessions could end (no session id or version) is refused", async () => {
    const user = await newUser();
    const claims = { sub: user.id, email: user.email, role: "viewer" };
    const token = await encode({ token: claims, secret: ensureTestAuthSecret(), salt: "authjs.session-token", maxAge: 3600 });
    const cookie = `authjs.session-token=${token}`;
    expect((await adminApi(cookie)).status).toBe(401);
    expect(await sessionThroughNextAuth(cookie)).toBeNull();
    expect(expectOneLineEach(2, token).every((line) => line.includes("carries no session id or version"))).toBe(true);
  });
});
