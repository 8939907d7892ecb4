import type { DbOrTx } from "../db/types";
import { newId } from "../ids";
import { deleteEndedSessionsExpiredBy, findEndedSession, findUserById, insertEndedSession } from "./repo";

// A session is a signed, encrypted JWT cookie (next-auth, Credentials provider), so nothing on the
// server holds it. To end one before it expires, the cookie carries two claims besides the user id
// (`sub`), set at sign-in and never changed afterwards:
//   - `sv`, the user's session version then. A new password and disabling the user bump the
//     version, which ends every session of that user at once, on every device.
//   - `sid`, the session's own id. Signing out records it in ended_sessions, which ends that one
//     session (every copy of its cookie) and no other: signing out on a laptop leaves the phone
//     signed in. Whoever wants every session gone changes their password.
// Every place that trusts a session checks it here: the admin API (resolve-actor.ts) and next-auth's
// jwt callback (config.ts), which pages and next-auth's own endpoints go through.

/** How long a session cookie lives after its last renewal. */
export const SESSION_MAX_AGE_SEC = 12 * 60 * 60;

export interface SessionClaims {
  sid: string;
  sv: number;
}

/** The claims of a new session of this user. */
export function newSessionClaims(user: { sessionVersion: number }): SessionClaims {
  return { sid: newId("ses"), sv: user.sessionVersion };
}

export type SessionRefusal = "malformed" | "unknown_user" | "disabled" | "superseded" | "signed_out";

const REFUSAL_TEXT: Record<SessionRefusal, string> = {
  malformed: "it carries no session id or version (signed before sessions could be ended)",
  unknown_user: "its user does not exist",
  disabled: "its user is disabled",
  superseded: "a new password or disabling the user ended it",
  signed_out: "it was signed out",
};

type UserRow = NonNullable<Awaited<ReturnType<typeof findUserById>>>;
export type SessionCheck = { ok: true; user: UserRow } | { ok: false; reason: SessionRefusal };

/** Whether a decoded session cookie still stands, and its user as the database has them now. */
export async function checkSession(db: DbOrTx, token: Record<string, unknown>): Promise<SessionCheck> {
  const { sub, sid, sv } = token;
  if (typeof sub !== "string" || typeof sid !== "string" || typeof sv !== "number") return { ok: false, reason: "malformed" };
  const [user, ended] = await Promise.all([findUserById(db, sub), findEndedSession(db, sid)]);
  if (!user) return { ok: false, reason: "unknown_user" };
  if (user.disabledAt) return { ok: false, reason: "disabled" };
  if (user.sessionVersion !== sv) return { ok: false, reason: "superseded" };
  if (ended) return { ok: false, reason: "signed_out" };
  return { ok: true, user };
}

/**
 * Ends the session this cookie belongs to. Kept until every copy of the cookie has expired: a copy
 * was last renewed before now, and a refused one is never renewed, so none outlives now + max age.
 */
export async function endSession(db: DbOrTx, token: Record<string, unknown> | null, now = new Date()): Promise<void> {
  if (typeof token?.sid !== "string") return;
  await insertEndedSession(db, token.sid, new Date(now.getTime() + SESSION_MAX_AGE_SEC * 1000));
  await deleteEndedSessionsExpiredBy(db, now);
}

/** The one log line for a refused session: who and why, never the cookie. */
export function sessionRefusalLine(where: string, refusal: SessionRefusal | { unreadable: string }, userId?: unknown): string {
  const who = typeof userId === "string" ? ` of ${userId}` : "";
  const why = typeof refusal === "string" ? REFUSAL_TEXT[refusal] : `the cookie is not a valid session (${refusal.unreadable})`;
  return `[auth] ${where}: session${who} refused: ${why}`;
}
