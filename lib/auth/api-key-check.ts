import { ForbiddenError, UnauthorizedError } from "../errors";
import { bearerToken, parseApiKey, secretMatches } from "./api-keys";
import type { KeyUsage } from "./key-usage";
import type { ApiKeyScope } from "./scopes";

// The one check of an API key, for both APIs: the client API reads keys from its routing snapshot
// (no database round trip per request), the admin API from the database. Either way the same
// steps decide — format, selector, secret compared in constant time, revocation, scope — and the
// use is noted, so `lastUsedAt` moves whichever API a key was used on.

/** What the check reads of a stored key, wherever it is kept. */
export interface StoredKey {
  id: string;
  name: string;
  secretHash: string;
  revoked: boolean;
  scopes: readonly ApiKeyScope[];
}

/** Where the check finds keys. */
export interface KeySource<K extends StoredKey> {
  /** The key with this selector, if there is one. */
  find(selector: string): K | undefined | Promise<K | undefined>;
  /** What to throw instead for a selector `find` does not know (a snapshot may predate the key). */
  unknown?(error: UnauthorizedError): Error;
}

/**
 * The key sent as `Authorization: Bearer <key>`, if it may use `scope`: 401 for a missing,
 * malformed, unknown or revoked key, 403 for a missing scope. Notes the use in `usage`, which the
 * caller flushes (the client API on a timer, the admin API at once).
 */
export async function checkApiKey<K extends StoredKey>(
  authorization: string | null | undefined,
  scope: ApiKeyScope,
  source: KeySource<K>,
  usage: KeyUsage,
): Promise<K> {
  const presented = presentedKey(authorization);
  return decide(presented, await source.find(presented.selector), scope, source, usage);
}

/**
 * The same check where keys are in memory, without a promise: the client API's hot path. (While
 * Next shared the isolate, its async hooks made every promise cost: measured 0.4-0.5 × a bare
 * server with promises in the path, 0.6 without. Next has its own thread now.)
 */
export function checkApiKeyNow<K extends StoredKey>(
  authorization: string | null | undefined,
  scope: ApiKeyScope,
  source: { find(selector: string): K | undefined; unknown?(error: UnauthorizedError): Error },
  usage: KeyUsage,
): K {
  const presented = presentedKey(authorization);
  return decide(presented, source.find(presented.selector), scope, source, usage);
}

function presentedKey(authorization: string | null | undefined): { selector: string; secret: string } {
  const token = bearerToken(authorization ?? null);
  if (!token) throw new UnauthorizedError("Send an API key as `Authorization: Bearer <key>`.");
  const parsed = parseApiKey(token);
  if (!parsed) throw new UnauthorizedError("The API key is malformed; expected lck_<selector>_<secret>.");
  return parsed;
}

function decide<K extends StoredKey>(
  presented: { secret: string },
  key: K | undefined,
  scope: ApiKeyScope,
  source: { unknown?(error: UnauthorizedError): Error },
  usage: KeyUsage,
): K {
  const invalid = () => new UnauthorizedError("The API key is not valid.");
  if (!key) throw source.unknown ? source.unknown(invalid()) : invalid();
  if (!secretMatches(presented.secret, key.secretHash)) throw invalid();
  if (key.revoked) throw new UnauthorizedError(`The API key "${key.name}" has been revoked.`);
  if (!key.scopes.includes(scope)) {
    const has = key.scopes.join(", ") || "none";
    throw new ForbiddenError(`The API key "${key.name}" lacks the \`${scope}\` scope; it has: ${has}.`);
  }
  usage.touch(key.id);
  return key;
}
