import type { Db } from "../db/types";
import { UnauthorizedError } from "../errors";
import type { Actor } from "./actor";
import { checkApiKey } from "./api-key-check";
import { databaseKeys } from "./api-key-service";
import { bearerToken } from "./api-keys";
import { getToken } from "next-auth/jwt";
import { KeyUsage } from "./key-usage";
import { findUserById } from "./repo";
import { scopesForApiKey, scopesForRole } from "./scopes";

/**
 * The actor behind an admin request: an API key (Bearer header) or the signed-in user. The
 * user is re-read from the database on every request so role changes and disabling apply now.
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
  const session = await sessionToken(request);
  if (!session?.sub) throw new UnauthorizedError();
  const user = await findUserById(db, session.sub);
  if (!user || user.disabledAt) throw new UnauthorizedError("Your session is no longer valid; sign in again.");
  return { type: "user", id: user.id, label: user.email, role: user.role, scopes: scopesForRole(user.role) };
}

/**
 * The signed session cookie of this request, decoded and checked (signature, expiry). Read from
 * the Request itself rather than Next's request context, so handlers behave the same when tests
 * call them directly. Behind HTTPS next-auth names the cookie with the __Secure- prefix.
 */
function sessionToken(request: Request) {
  const secureCookie = (request.headers.get("cookie") ?? "").includes("__Secure-authjs.session-token");
  return getToken({ req: request, secret: process.env.AUTH_SECRET, secureCookie });
}
