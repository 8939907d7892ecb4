import type { DbOrTx, Tx } from "../db/types";
import type { ApiKeyScope } from "./scopes";
import type { Role } from "./scopes";

export function findUserByEmail(db: DbOrTx, email: string) {
  return db.user.findUnique({ where: { email: email.toLowerCase() } });
}

export function findUserById(db: DbOrTx, id: string) {
  return db.user.findUnique({ where: { id } });
}

export function countUsers(db: DbOrTx) {
  return db.user.count();
}

export function insertUser(
  db: DbOrTx,
  data: { id: string; email: string; name: string | null; role: Role; passwordHash: string; mustChangePassword: boolean },
) {
  return db.user.create({ data: { ...data, email: data.email.toLowerCase() } });
}

export function listUsers(db: DbOrTx) {
  return db.user.findMany({ orderBy: { email: "asc" } });
}

export function updateUser(db: DbOrTx, id: string, data: { role?: Role; name?: string | null; disabledAt?: Date | null }) {
  return db.user.update({ where: { id }, data });
}

/**
 * Locks this user's row and every enabled admin's until the transaction ends, and answers the
 * enabled admins' ids. One statement in id order, so two concurrent changes cannot deadlock; a
 * row another transaction changed meanwhile is re-checked after its commit, so of two demotions
 * racing for the last two admins the second sees only one admin left.
 */
export async function lockUserAndEnabledAdmins(tx: Tx, id: string): Promise<{ enabledAdminIds: string[] }> {
  const rows = await tx.$queryRaw<{ id: string; enabled_admin: boolean }[]>`
    SELECT id, (role = 'admin' AND disabled_at IS NULL) AS enabled_admin FROM users
    WHERE id = ${id} OR (role = 'admin' AND disabled_at IS NULL)
    ORDER BY id FOR UPDATE`;
  return { enabledAdminIds: rows.filter((r) => r.enabled_admin).map((r) => r.id) };
}

/** A new password of the user's own choosing; it ends every session of theirs (sessionVersion). */
export function setPassword(db: DbOrTx, id: string, passwordHash: string) {
  return db.user.update({ where: { id }, data: { passwordHash, mustChangePassword: false, sessionVersion: { increment: 1 } } });
}

/** Ends every session of the user now: cookies signed in under an earlier version are refused. */
export function endAllSessions(db: DbOrTx, id: string) {
  return db.user.update({ where: { id }, data: { sessionVersion: { increment: 1 } } });
}

/** Records a session as ended until `expiresAt`; ending it twice is harmless. */
export function insertEndedSession(db: DbOrTx, id: string, expiresAt: Date) {
  return db.endedSession.createMany({ data: [{ id, expiresAt }], skipDuplicates: true });
}

export function findEndedSession(db: DbOrTx, id: string) {
  return db.endedSession.findUnique({ where: { id } });
}

/** Forgets ended sessions whose cookies have all expired. */
export function deleteEndedSessionsExpiredBy(db: DbOrTx, at: Date) {
  return db.endedSession.deleteMany({ where: { expiresAt: { lt: at } } });
}

export function touchLastLogin(db: DbOrTx, id: string, at: Date) {
  return db.user.update({ where: { id }, data: { lastLoginAt: at } });
}

export function insertApiKey(
  db: DbOrTx,
  data: {
    id: string;
    name: string;
    selector: string;
    secretHash: string;
    scopes: ApiKeyScope[];
    configKeys: string[];
    createdById: string | null;
    createdByLabel: string;
  },
) {
  return db.apiKey.create({ data });
}

/** Which of these config keys name a config. */
export async function existingConfigKeys(db: DbOrTx, keys: readonly string[]): Promise<Set<string>> {
  const rows = await db.config.findMany({ where: { key: { in: [...keys] } }, select: { key: true } });
  return new Set(rows.map((r) => r.key));
}

/**
 * The user a new key rests on, its row locked (shared) until the transaction ends: a demotion,
 * which locks it for update (lockUserAndEnabledAdmins), waits for the key's commit, or goes first.
 */
export async function lockUserForKeys(tx: Tx, id: string) {
  const rows = await tx.$queryRaw<{ email: string; role: Role; disabledAt: Date | null }[]>`
    SELECT email, role, disabled_at AS "disabledAt" FROM users WHERE id = ${id} FOR SHARE`;
  return rows[0] ?? null;
}

/** The user's keys still in force, locked until the transaction ends. */
export function lockActiveApiKeysOf(tx: Tx, userId: string) {
  return tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM api_keys WHERE created_by_id = ${userId} AND revoked_at IS NULL ORDER BY id FOR UPDATE`;
}

export function findApiKeyBySelector(db: DbOrTx, selector: string) {
  return db.apiKey.findUnique({ where: { selector } });
}

export function findApiKeyById(db: DbOrTx, id: string) {
  return db.apiKey.findUnique({ where: { id } });
}

export function listApiKeys(db: DbOrTx) {
  return db.apiKey.findMany({ orderBy: { createdAt: "desc" } });
}

export function markApiKeyRevoked(db: DbOrTx, id: string, at: Date) {
  return db.apiKey.update({ where: { id }, data: { revokedAt: at } });
}

/** Records when keys were last used, many at once; never moves a time backwards. */
export function touchApiKeysLastUsed(db: DbOrTx, uses: { id: string; at: Date }[]) {
  return db.$executeRaw`
    UPDATE api_keys AS k SET last_used_at = GREATEST(k.last_used_at, u.at)
    FROM json_to_recordset(${JSON.stringify(uses)}::json) AS u(id text, at timestamptz)
    WHERE k.id = u.id`;
}
