import { checkApiKeyNow } from "../auth/api-key-check";
import type { KeyUsage } from "../auth/key-usage";
import type { ApiKeyScope } from "../auth/scopes";
import { maybeNewer } from "../snapshot/miss";
import type { KeyEntry, Snapshot } from "../snapshot/snapshot";

/**
 * The API key of a client request, checked (lib/auth/api-key-check.ts) against the snapshot, which
 * holds every key and is reloaded on every key change: no database round trip per request. Scopes
 * are separate: a key needs `route` to route and `metrics` to report, whatever else it carries.
 */
export function authenticateClient(
  snapshot: Snapshot,
  authorization: string | undefined,
  scope: ApiKeyScope,
  usage: KeyUsage,
): KeyEntry {
  const keys = {
    find: (selector: string) => snapshot.keysBySelector.get(selector),
    unknown: maybeNewer, // perhaps created a moment ago on another instance
  };
  return checkApiKeyNow(authorization, scope, keys, usage);
}
