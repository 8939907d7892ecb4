import type { Db } from "../db/types";
import { PasswordChangeRequiredError, UnauthorizedError } from "../errors";
import type { Actor } from "./actor";
import { checkApiKey } from "./api-key-check";
import { databaseKeys } from "./api-key-service";
import { bearerToken } from "./api-keys";
import { getToken } from "next-auth/jwt";
import { KeyUsage } from "./key-usage";
import { scopesForApiKey, scopesForRole } from "./scopes";
import { checkSession, sessionRefusalLine } from "./sessions";

/**
 * The actor behind an admin request: an API key (Bearer header) or the signed-in user. The
 * session is checked against the database on every request (lib/auth/sessions.ts), so role
 * changes, disabling, a new password and signing out apply now. A session signed in with a
 * one-time password gets 403 on the whole admin API: it may only choose a new password, which
 * the console's password page does.
 */
export async function resolveActor(db: Db, request: Request): Promise<Actor> {
  const authorization = request.headers.get("authorization");
  if (bearerToken(authorization)) {
    // The client API's check; the use is written at once (one UPDATE) rather than on its timer.
    const usage = new KeyUsage();
    const key = await checkApiKey(authorization, "admin", databaseKeys(db), usage);
    await usage.flush(db).catch((error: unknown) => {
      console.error(`[llm-canary] could not record the use of API key ${key.id}:`, error);
    });
    return { type: "api_key", id: key.id, label: `key:${key.name}`, scopes: scopesForApiKey(key.scopes) };
  }
  const cookie = request.headers.get("cookie") ?? "";
  const token = await sessionToken(request, cookie);
  if (!token) {
    // getToken answers null for a cookie it cannot decrypt as for none: only the former is news.
    if (SESSION_COOKIE.test(cookie)) console.warn(sessionRefusalLine("admin API", { unreadable: "cannot be decrypted" }));
    throw new UnauthorizedError();
  }
  const session = await checkSession(db, token);
  if (!session.ok) {
    console.warn(sessionRefusalLine("admin API", session.reason, token.sub));
    throw new UnauthorizedError("Your session is no longer valid; sign in again.");
  }
  const { user } = session;
  if (user.mustChangePassword) throw new PasswordChangeRequiredError();
  return { type: "user", id: user.id, label: user.email, role: user.role, scopes: scopesForRole(user.role) };
}

/** next-auth's session cookie, whole or in chunks (`.0`, `.1`), plain or with the __Secure- prefix. */
const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?authjs\.session-token(?:\.\d+)?=[^;\s]/;

/**
 * The signed session cookie of this request, decoded and checked (signature, expiry). Read from
 * the Request itself rather than Next's request context, so handlers behave the same when tests
 * call them directly. Behind HTTPS next-auth names the cookie with the __Secure- prefix.
 */
function sessionToken(request: Request, cookie: string) {
  const secureCookie = cookie.includes("__Secure-authjs.session-token");
  return getToken({ req: request, secret: process.env.AUTH_SECRET, secureCookie });
}
