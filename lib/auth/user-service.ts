import { appendAuditEvent } from "../audit/repo";
import { ConflictError, NotFoundError, TooManyAttemptsError, UnauthorizedError, ValidationError } from "../errors";
import { newId } from "../ids";
import type { Db } from "../db/types";
import { parseInput } from "../validation";
import type { Actor } from "./actor";
import { loginThrottle, throttleMessage } from "./login-throttle";
import { mayMakeApiKeys, revokeKeysMadeBy } from "./api-key-service";
import { burnPasswordCheck, generatePassword, hashPassword, verifyPassword } from "./passwords";
import {
  countUsers,
  endAllSessions,
  findUserByEmail,
  findUserById,
  insertUser,
  listUsers as listUserRows,
  lockUserAndEnabledAdmins,
  setPassword,
  touchLastLogin,
  updateUser as updateUserRow,
} from "./repo";
import { ChangePasswordInput, CreateUserInput, UpdateUserInput, UserDto } from "./schemas";

export interface CreatedUser {
  user: UserDto;
  /** Set when the password was generated: shown once, never stored in plain. */
  generatedPassword: string | null;
}

export async function createUser(db: Db, actor: Actor, raw: unknown): Promise<CreatedUser> {
  const input = parseInput(CreateUserInput, raw);
  const generatedPassword = input.password ? null : generatePassword();
  const passwordHash = await hashPassword(input.password ?? generatedPassword!);
  const user = await db.$transaction(async (tx) => {
    if (await findUserByEmail(tx, input.email)) {
      throw new ConflictError(`A user with e-mail ${input.email} already exists.`);
    }
    const created = await insertUser(tx, {
      id: newId("usr"),
      email: input.email,
      name: input.name ?? null,
      role: input.role,
      passwordHash,
      mustChangePassword: generatedPassword !== null,
    });
    const dto = UserDto.parse(created);
    await appendAuditEvent(tx, { actor, action: "user.create", entityType: "user", entityId: created.id, after: dto });
    return dto;
  });
  return { user, generatedPassword };
}

/** Every user, by e-mail; never the password hash. */
export async function listUsers(db: Db): Promise<{ users: UserDto[] }> {
  return { users: (await listUserRows(db)).map((row) => UserDto.parse(row)) };
}

/**
 * An admin changes a user's role, name or disabled state. Nobody may demote or disable
 * themselves, and the last enabled admin can never be demoted or disabled: the check runs on
 * locked rows, so two concurrent demotions cannot both pass. A change to nothing writes nothing.
 */
export async function updateUser(db: Db, actor: Actor, id: string, raw: unknown): Promise<UserDto> {
  const input = parseInput(UpdateUserInput, raw);
  return db.$transaction(async (tx) => {
    const { enabledAdminIds } = await lockUserAndEnabledAdmins(tx, id);
    const row = await findUserById(tx, id);
    if (!row) throw new NotFoundError(`No user with id ${id}.`);
    const before = UserDto.parse(row);

    const changes: { role?: UserDto["role"]; name?: string | null; disabledAt?: Date | null } = {};
    if (input.role !== undefined && input.role !== row.role) changes.role = input.role;
    if (input.name !== undefined && input.name !== row.name) changes.name = input.name;
    if (input.disabled !== undefined && input.disabled !== (row.disabledAt !== null)) changes.disabledAt = input.disabled ? new Date() : null;
    if (Object.keys(changes).length === 0) return before;

    const demotes = changes.role !== undefined && row.role === "admin";
    const disables = changes.disabledAt instanceof Date;
    if (actor.type === "user" && actor.id === id && (demotes || disables)) {
      const field = demotes ? "role" : "disabled";
      throw new ValidationError(
        demotes ? "You cannot change your own role; another admin has to." : "You cannot disable your own account; another admin has to.",
        [{ path: field, message: demotes ? "cannot demote yourself" : "cannot disable yourself" }],
      );
    }
    if ((demotes || disables) && enabledAdminIds.length === 1 && enabledAdminIds[0] === id) {
      throw new ConflictError(
        `${row.email} is the last enabled admin and cannot be ${demotes ? "demoted" : "disabled"}; make another user an admin first.`,
        before,
      );
    }

    // A disabled user's sessions end now, and stay ended if the user is enabled again.
    if (disables) await endAllSessions(tx, id);
    const after = UserDto.parse(await updateUserRow(tx, id, changes));
    await appendAuditEvent(tx, { actor, action: "user.update", entityType: "user", entityId: id, before, after });
    if ((changes.role !== undefined || changes.disabledAt !== undefined) && !mayMakeApiKeys(after)) {
      const now = after.disabledAt ? "is disabled" : `is now ${/^[aeiou]/.test(after.role) ? "an" : "a"} ${after.role}`;
      await revokeKeysMadeBy(tx, actor, id, `Its creator ${row.email} ${now} and may no longer make API keys.`);
    }
    return after;
  });
}

/** A signed-in user, with the session version a new session of theirs carries (lib/auth/sessions.ts). */
export type AuthenticatedUser = UserDto & { sessionVersion: number };

/** The user for these credentials, or null. Takes the same time whether or not the e-mail exists. */
export async function authenticate(db: Db, email: string, password: string): Promise<AuthenticatedUser | null> {
  const user = await findUserByEmail(db, email.trim());
  if (!user || user.disabledAt) {
    await burnPasswordCheck(password);
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  await touchLastLogin(db, user.id, new Date());
  return { ...UserDto.parse(user), sessionVersion: user.sessionVersion };
}

/**
 * The signed-in user changes their own password; clears the must-change flag of a generated one.
 * Every session of theirs ends, this one too (the console signs in again with the new password).
 * A wrong current password counts as a failed sign-in of the account and of `clientAddress`, and
 * once those are used up the check is refused, as signing in is (lib/auth/login-throttle.ts).
 */
export async function changePassword(db: Db, userId: string, raw: unknown, clientAddress: string): Promise<UserDto> {
  const input = parseInput(ChangePasswordInput, raw);
  const user = await findUserById(db, userId);
  if (!user || user.disabledAt) throw new UnauthorizedError("Your session is no longer valid; sign in again.");
  const throttle = loginThrottle();
  const verdict = throttle.check(user.email, clientAddress);
  if (!verdict.allowed) throw new TooManyAttemptsError(throttleMessage(verdict, "wrong passwords"), verdict.retryAfterSec);
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throttle.fail(user.email, clientAddress);
    throw new ValidationError("The `currentPassword` field is not your current password.", [
      { path: "currentPassword", message: "is not your current password" },
    ]);
  }
  throttle.succeed(user.email);
  const passwordHash = await hashPassword(input.newPassword);
  return db.$transaction(async (tx) => {
    const updated = UserDto.parse(await setPassword(tx, userId, passwordHash));
    const actor: Actor = { type: "user", id: user.id, label: user.email, role: user.role, scopes: [] };
    await appendAuditEvent(tx, { actor, action: "user.change_password", entityType: "user", entityId: user.id });
    return updated;
  });
}

export interface BootstrapResult {
  email: string;
  /** The generated one-time password, when none came from the environment. */
  generatedPassword: string | null;
}

/**
 * First start: with no users at all, create an admin from ADMIN_EMAIL/ADMIN_PASSWORD, or with a
 * generated password that the caller prints once. Returns null when users already exist.
 */
export async function ensureBootstrapAdmin(
  db: Db,
  fromEnv: { email?: string; password?: string },
): Promise<BootstrapResult | null> {
  if ((await countUsers(db)) > 0) return null;
  const system: Actor = { type: "system", id: null, label: "bootstrap", scopes: [] };
  const email = fromEnv.email ?? "admin@llm-canary.local";
  try {
    const { generatedPassword } = await createUser(db, system, { email, role: "admin", password: fromEnv.password });
    return { email, generatedPassword };
  } catch (error) {
    // Another instance bootstrapped at the same moment: fine.
    if (error instanceof ConflictError) return null;
    throw error;
  }
}
