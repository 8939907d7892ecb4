import { bearerToken, parseApiKey, secretMatches } from "../auth/api-keys";
import type { ApiKeyScope } from "../auth/scopes";
import { ForbiddenError, UnauthorizedError } from "../errors";
import { maybeNewer } from "../snapshot/miss";
import type { KeyEntry, Snapshot } from "../snapshot/snapshot";

/**
 * The API key of a client request, checked against the snapshot (which holds every key and is
 * reloaded on every key change): no database round trip per request. Scopes are
 * separate: a key needs `route` to route and `metrics` to report, whatever else it carries.
 */
export function authenticateClient(snapshot: Snapshot, authorization: string | undefined, scope: ApiKeyScope): KeyEntry {
  const token = bearerToken(authorization ?? null);
  if (!token) throw new UnauthorizedError("Send an API key as `Authorization: Bearer <key>`.");
  const parsed = parseApiKey(token);
  if (!parsed) throw new UnauthorizedError("The API key is malformed; expected lck_<selector>_<secret>.");
  const key = snapshot.keysBySelector.get(parsed.selector);
  const invalid = () => new UnauthorizedError("The API key is not valid.");
  if (!key) throw maybeNewer(invalid()); // perhaps created a moment ago on another instance
  if (!secretMatches(parsed.secret, key.secretHash)) throw invalid();
  if (key.revoked) throw new UnauthorizedError(`The API key "${key.name}" has been revoked.`);
  if (!key.scopes.includes(scope)) {
    throw new ForbiddenError(`The API key "${key.name}" lacks the \`${scope}\` scope; it has: ${key.scopes.join(", ") || "none"}.`);
  }
  return key;
}
