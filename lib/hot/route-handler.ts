import { assertKeyMayUseConfig, type ConfigLimitedKey } from "../auth/api-key-configs";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { refusalOf, renderPreparedJson } from "../release/llm-template";
import { pickVersion, route } from "../release/router";
import { maybeNewer } from "../snapshot/miss";
import type { Snapshot, VersionEntry } from "../snapshot/snapshot";
import { parseInput } from "../validation";
import type { HotResponse } from "./http";
import { RouteInput } from "./route-schemas";

/** GET's form of `variables` (OpenAPI's deepObject style): `?variables[customer]=Ada`. */
const QUERY_VARIABLE = /^variables\[([^\]]*)\]$/;

/** A query string's parameters as RouteInput reads them: `variables[<name>]` gathered into `variables`. */
export function routeQueryInput(query: Record<string, string>): Record<string, unknown> {
  const entries = Object.entries(query);
  const variables = entries.flatMap(([name, value]) => {
    const match = QUERY_VARIABLE.exec(name);
    return match ? [[match[1], value] as const] : [];
  });
  if (variables.length === 0) return query;
  // fromEntries, not assignment: a parameter named `__proto__` stays an own (and unknown) key.
  return { ...Object.fromEntries(entries.filter(([name]) => !QUERY_VARIABLE.test(name))), variables: Object.fromEntries(variables) };
}

/** The version's `llm` JSON, with `rendered` when the app sent variables (a 400 naming a missing one). */
function llmJsonOf(version: VersionEntry, variables: Record<string, string> | undefined): string {
  if (!variables) return version.llmJson;
  const result = renderPreparedJson(version.template, variables);
  if (!result.ok) {
    const { message, details } = refusalOf(result);
    throw new ValidationError(message, details);
  }
  // The template's JSON was serialized once per snapshot; only the rendered part is per request.
  return `${version.llmJson.slice(0, -1)},"rendered":${result.json}}`;
}

/**
 * POST|GET /api/route: which version this user gets, answered from the in-memory snapshot with
 * the same pure router as the route preview and the SDK. The answer is assembled from strings
 * serialized once per snapshot; with `variables`, the chosen version's messages are rendered.
 * A key limited to other configs gets 403 before the config is looked up.
 */
export function answerRoute(
  snapshot: Snapshot,
  key: ConfigLimitedKey,
  raw: unknown,
  source: "query" | "request body",
  requestId: string,
): HotResponse {
  const input = parseInput(RouteInput, source === "query" ? routeQueryInput(raw as Record<string, string>) : raw, source);
  assertKeyMayUseConfig(key, input.config);
  const config = snapshot.configsByKey.get(input.config);
  if (!config) throw maybeNewer(new NotFoundError(`No config with key \`${input.config}\`.`));
  if (!config.stable) throw maybeNewer(new ConflictError(`Config \`${input.config}\` has no version yet; create one before routing to it.`));
  const { variant, version } = pickVersion(route(input.userId, config.rollout?.routing ?? null), config.stable, config.canary);
  const id = input.requestId ?? requestId;
  const json =
    `{"requestId":${JSON.stringify(id)},"config":${JSON.stringify(config.key)},"variant":"${variant}",` +
    `"versionId":${JSON.stringify(version.id)},"versionLabel":${JSON.stringify(version.label)},` +
    `"rolloutId":${config.rollout ? JSON.stringify(config.rollout.id) : "null"},"llm":${llmJsonOf(version, input.variables)}}`;
  return { status: 200, json };
}
