import { assertKeyMayUseConfig, type ConfigLimitedKey } from "../auth/api-key-configs";
import { ConflictError, NotFoundError } from "../errors";
import { pickVersion, route } from "../release/router";
import { maybeNewer } from "../snapshot/miss";
import type { Snapshot } from "../snapshot/snapshot";
import { parseInput } from "../validation";
import type { HotResponse } from "./http";
import { RouteInput } from "./route-schemas";

/**
 * POST|GET /api/route: which version this user gets, answered from the in-memory snapshot with
 * the same pure router as the route preview and the SDK. The answer is assembled from strings
 * serialized once per snapshot. A key limited to other configs gets 403 before the config is looked up.
 */
export function answerRoute(
  snapshot: Snapshot,
  key: ConfigLimitedKey,
  raw: unknown,
  source: "query" | "request body",
  requestId: string,
): HotResponse {
  const input = parseInput(RouteInput, raw, source);
  assertKeyMayUseConfig(key, input.config);
  const config = snapshot.configsByKey.get(input.config);
  if (!config) throw maybeNewer(new NotFoundError(`No config with key \`${input.config}\`.`));
  if (!config.stable) throw maybeNewer(new ConflictError(`Config \`${input.config}\` has no version yet; create one before routing to it.`));
  const { variant, version } = pickVersion(route(input.userId, config.rollout?.routing ?? null), config.stable, config.canary);
  const id = input.requestId ?? requestId;
  const json =
    `{"requestId":${JSON.stringify(id)},"config":${JSON.stringify(config.key)},"variant":"${variant}",` +
    `"versionId":${JSON.stringify(version.id)},"versionLabel":${JSON.stringify(version.label)},` +
    `"rolloutId":${config.rollout ? JSON.stringify(config.rollout.id) : "null"},"llm":${version.llmJson}}`;
  return { status: 200, json };
}
