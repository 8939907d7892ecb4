import { z } from "zod";
import { assertKeyMayUseConfig, type ConfigLimitedKey } from "../auth/api-key-configs";
import { NotFoundError } from "../errors";
import { maybeNewer } from "../snapshot/miss";
import type { ConfigEntry, Snapshot, VersionEntry } from "../snapshot/snapshot";
import { parseInput } from "../validation";
import type { HotResponse } from "./http";
import { RouteAnswerDto } from "./route-schemas";
import { ConfigKeySchema } from "../release/config-schemas";
import { LlmSettingsDto } from "../release/llm-settings";

// GET /api/routing-state?config=: everything an SDK needs to route locally with the same hash
// (lib/release/router.ts) — versions, salt, percent, lists — tagged with the config's revision
// so polling clients get 304 until something changes.

export const RoutingStateQuery = z.object({ config: ConfigKeySchema }).strict();

/** A version as /api/route answers it, without `rendered`: an SDK renders locally (lib/template). */
const VersionState = RouteAnswerDto.pick({ versionId: true, versionLabel: true }).extend({ llm: LlmSettingsDto });
export const RoutingStateDto = z.object({
  config: z.string(),
  revision: z.number().int(),
  stable: VersionState.nullable(),
  canary: VersionState.nullable(),
  rollout: z
    .object({
      id: z.string(),
      salt: z.string(),
      percent: z.number(),
      sticky: z.boolean(),
      include: z.array(z.string()),
      exclude: z.array(z.string()),
    })
    .nullable(),
});

const serialized = new WeakMap<ConfigEntry, string>();

function versionJson(version: VersionEntry | null): string {
  return version ? `{"versionId":${JSON.stringify(version.id)},"versionLabel":${JSON.stringify(version.label)},"llm":${version.llmJson}}` : "null";
}

function stateJson(config: ConfigEntry): string {
  let json = serialized.get(config);
  if (json === undefined) {
    const rollout = config.rollout ? JSON.stringify({ id: config.rollout.id, ...config.rollout.routing }) : "null";
    json =
      `{"config":${JSON.stringify(config.key)},"revision":${config.revision},"stable":${versionJson(config.stable)},` +
      `"canary":${config.rollout ? versionJson(config.canary) : "null"},"rollout":${rollout}}`;
    serialized.set(config, json);
  }
  return json;
}

export function answerRoutingState(
  snapshot: Snapshot,
  apiKey: ConfigLimitedKey,
  query: Record<string, string>,
  ifNoneMatch: string | undefined,
): HotResponse {
  const { config: key } = parseInput(RoutingStateQuery, query, "query");
  assertKeyMayUseConfig(apiKey, key);
  const config = snapshot.configsByKey.get(key);
  if (!config) throw maybeNewer(new NotFoundError(`No config with key \`${key}\`.`));
  const headers = { etag: `"${config.id}.${config.revision}"`, "cache-control": "no-cache" };
  if (ifNoneMatch === headers.etag) return { status: 304, json: "", headers };
  return { status: 200, json: stateJson(config), headers };
}
