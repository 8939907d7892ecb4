import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passwordHashCost } from "@/lib/auth/passwords";
import { authenticate, changePassword, createUser } from "@/lib/auth/user-service";
import { setDatabase } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { signInThroughNextAuth } from "../helpers/next-auth";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Passwords: guessing the current one through the change-password form is limited like signing
// in, and every byte of a password counts (bcrypt alone reads 72).

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

async function newUser(password = PASSWORD) {
  const email = `user-${randomBytes(4).toString("hex")}@example.com`;
  const { user } = await createUser(db.prisma, system, { email, role: "viewer", password });
  return { id: user.id, email };
}

/** A fresh client address per test: the throttle counts per address across the whole process. */
const newAddress = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${randomBytes(2).toString("hex")}`;

/** What changing the password answered: "ok", or the error's status, code, message and Retry-After. */
async function tryChange(userId: string, currentPassword: string, address: string, newPassword = "the next long password") {
  try {
    await changePassword(db.prisma, userId, { currentPassword, newPassword }, address);
    return { outcome: "ok" };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const { status, code, message, headers } = error;
    return { outcome: "refused", status, code, message, retryAfter: Number(headers?.["Retry-After"] ?? NaN) };
  }
}

const WRONG = { outcome: "refused", status: 400, code: "invalid_request", message: "The `currentPassword` field is not your current password." };

describe("guessing the current password when changing it", () => {
  it("is limited per account like signing in: after five wrong ones even the right one waits, and so does sign-in", async () => {
    const user = await newUser();
    const address = newAddress();
    for (let i = 0; i < 5; i++) expect(await tryChange(user.id, `wrong guess number ${i}`, address)).toMatchObject(WRONG);
    // Another address changes nothing: the account has had its five.
    const blocked = await tryChange(user.id, PASSWORD, newAddress());
    expect(blocked).toMatchObject({ outcome: "refused", status: 429, code: "too_many_attempts" });
    expect(blocked.message).toMatch(/^Too many wrong passwords for this account; try again in 1[45] minutes\.$/);
    expect(blocked.retryAfter).toBeGreaterThan(13 * 60);
    // One count for both ways in: the sign-in form does not give the guesser five more.
    expect(await signInThroughNextAuth(user.email, PASSWORD, newAddress())).toBeNull();
    expect(await authenticate(db.prisma, user.email, PASSWORD)).toMatchObject({ id: user.id }); // unchanged
  });

  it("is limited per address: twenty wrong ones from one address, over any accounts, block that address", async () => {
    const address = newAddress();
    const users = await Promise.all(Array.from({ length: 5 }, () => newUser()));
    // Five each for four accounts: the address's twenty, each account at its own limit.
    for (const user of users.slice(0, 4)) {
      for (let i = 0; i < 5; i++) expect(await tryChange(user.id, "not the password", address)).toMatchObject(WRONG);
    }
    const last = users[4];
    const blocked = await tryChange(last.id, PASSWORD, address);
    expect(blocked).toMatchObject({ outcome: "refused", status: 429, code: "too_many_attempts" });
    expect(blocked.message).toMatch(/^Too many wrong passwords for your network address; try again in 1[45] minutes\.$/);
    expect(await tryChange(last.id, PASSWORD, newAddress())).toEqual({ outcome: "ok" });
  });

  it("a right password clears the account's count, as a sign-in does", async () => {
    const user = await newUser();
    const address = newAddress();
    for (let i = 0; i < 4; i++) await tryChange(user.id, "wrong again", address);
    expect(await tryChange(user.id, PASSWORD, address, "second long password")).toEqual({ outcome: "ok" });
    for (let i = 0; i < 4; i++) await tryChange(user.id, "wrong again", newAddress());
    expect(await tryChange(user.id, "second long password", newAddress())).toEqual({ outcome: "ok" });
  });
});

describe("passwords longer than bcrypt's 72 bytes", () => {
  it("count in full: a password sharing only the first 72 bytes does not sign in", async () => {
    const long = `${"correct horse battery staple ".repeat(3).slice(0, 72)}-and the rest`;
    const user = await newUser(long);
    expect(await authenticate(db.prisma, user.email, long)).toMatchObject({ id: user.id });
    expect(await authenticate(db.prisma, user.email, `${long.slice(0, 72)}-something else`)).toBeNull();
    expect(await authenticate(db.prisma, user.email, long.slice(0, 72))).toBeNull();
  });

  it("count in full in any script: 40 characters of 3 bytes each", async () => {
    const password = "金丝雀发布".repeat(8); // 120 bytes in UTF-8
    const user = await newUser(password);
    expect(await authenticate(db.prisma, user.email, password)).toMatchObject({ id: user.id });
    expect(await authenticate(db.prisma, user.email, `${password.slice(0, 39)}鸟`)).toBeNull();
  });

  it("a hash written before this change still signs in, and the next password is stored the new way", async () => {
    const user = await newUser();
    await db.prisma.user.update({ where: { id: user.id }, data: { passwordHash: await bcrypt.hash("an older password here", 12) } });
    expect(await authenticate(db.prisma, user.email, "an older password here")).toMatchObject({ id: user.id });
    expect(await authenticate(db.prisma, user.email, "an older password HERE")).toBeNull();
    expect(await tryChange(user.id, "an older password here", newAddress())).toEqual({ outcome: "ok" });
    const stored = await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).toMatch(/^hmac-sha256:\$2[aby]\$/);
    expect(bcrypt.getRounds(stored.passwordHash.slice("hmac-sha256:".length))).toBe(passwordHashCost());
    expect(await authenticate(db.prisma, user.email, "the next long password")).toMatchObject({ id: user.id });
  });
});
