import { ForbiddenError, type ErrorDetail } from "../errors";

// A client key may be limited to some configs: then every client endpoint refuses, with 403
// naming the config, whatever concerns another one. Checked in memory against the key as the
// check found it (the client API's snapshot holds each key's list): no database round trip.

/** What the check reads of a key: its name and its configs (null: every config). */
export interface ConfigLimitedKey {
  name: string;
  configs: readonly string[] | null;
}

export function keyMayUseConfig(key: ConfigLimitedKey, config: string): boolean {
  return key.configs === null || key.configs.includes(config);
}

function limitedTo(key: ConfigLimitedKey): string {
  return (key.configs ?? []).map((c) => `\`${c}\``).join(", ");
}

/** 403 unless the key may use `config`. */
export function assertKeyMayUseConfig(key: ConfigLimitedKey, config: string, path = "config"): void {
  if (keyMayUseConfig(key, config)) return;
  throw new ForbiddenError(`The API key "${key.name}" may not use config \`${config}\`; it is limited to ${limitedTo(key)}.`, [
    { path, message: `names a config this key may not use (\`${config}\`)` },
  ]);
}

/**
 * 403 naming every event whose config the key may not use (`events.N.config`); nothing is stored
 * then. An event without a config (a late score may omit it) is looked up in the key's configs only.
 */
export function assertKeyMayReport(key: ConfigLimitedKey, events: readonly { config?: string }[], what = "outcomes"): void {
  if (key.configs === null) return;
  const details: ErrorDetail[] = [];
  events.forEach((event, i) => {
    if (event.config !== undefined && !keyMayUseConfig(key, event.config)) {
      details.push({ path: `events.${i}.config`, message: `names a config this key may not use (\`${event.config}\`)` });
    }
  });
  if (details.length === 0) return;
  const first = events[Number(details[0].path.split(".")[1])].config;
  const more = details.length > 1 ? ` (and ${details.length - 1} more event${details.length > 2 ? "s" : ""})` : "";
  throw new ForbiddenError(
    `The API key "${key.name}" may not report ${what} for config \`${first}\` (\`${details[0].path}\`)${more}; ` +
      `it is limited to ${limitedTo(key)}. Nothing was stored.`,
    details,
  );
}
