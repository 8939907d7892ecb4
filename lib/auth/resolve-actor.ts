import type { Db } from "../db/types";
import { ForbiddenError, UnauthorizedError } from "../errors";
import type { Actor } from "./actor";
import { verifyApiKey } from "./api-key-service";
import { bearerToken } from "./api-keys";
import { auth } from "./config";
import { findUserById } from "./repo";
import { scopesForApiKey, scopesForRole } from "./scopes";

/**
 * The actor behind an admin request: an API key (Bearer header) or the signed-in user. The
 * user is re-read from the database on every request so role changes and disabling apply now.
 */
export async function resolveActor(db: Db, request: Request): Promise<Actor> {
  const token = bearerToken(request.headers.get("authorization"));
  if (token) {
    const key = await verifyApiKey(db, token);
    if (!key.scopes.includes("admin")) {
      throw new ForbiddenError(`The API key "${key.name}" lacks the \`admin\` scope needed for the admin API.`);
    }
    return { type: "api_key", id: key.id, label: `key:${key.name}`, scopes: scopesForApiKey(key.scopes) };
  }
  const session = await auth();
  if (!session?.user?.id) throw new UnauthorizedError();
  const user = await findUserById(db, session.user.id);
  if (!user || user.disabledAt) throw new UnauthorizedError("Your session is no longer valid; sign in again.");
  return { type: "user", id: user.id, label: user.email, role: user.role, scopes: scopesForRole(user.role) };
}
