import type { IncomingHttpHeaders } from "node:http";
import { assertKeyMayUseConfig, type ConfigLimitedKey } from "../auth/api-key-configs";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { RouteVariables } from "../hot/route-schemas";
import { chatRequestOf } from "../release/chat-request";
import { refusalOf, renderPrepared } from "../release/llm-template";
import { pickVersion, route, type Variant } from "../release/router";
import { maybeNewer } from "../snapshot/miss";
import type { ConfigEntry, Snapshot, VersionEntry } from "../snapshot/snapshot";
import { parseInput, validationError } from "../validation";
import { ChatCompletionInput } from "./schemas";

// A gateway call up to the provider request, answered from the routing snapshot with no I/O: the
// body checked, the config named by `model`, the user routed with the same router as /api/route,
// the chosen version's messages rendered and the request built (lib/release/chat-request.ts).
// Every refusal here is the client's bad input and records nothing.

export const USER_HEADER = "x-canary-user";
export const VARIABLES_HEADER = "x-canary-variables";

/** `canary/support-chat` names `support-chat`: for clients that expect provider/model names. */
const PREFIX = "canary/";

/** The config a `model` names. */
export const configKeyOf = (model: string): string => (model.startsWith(PREFIX) ? model.slice(PREFIX.length) : model);

export interface PreparedCall {
  config: ConfigEntry;
  version: VersionEntry;
  variant: Variant;
  /** The rollout that chose the version; null outside any rollout. */
  rolloutId: string | null;
  /** The provider request, without `stream` and `stream_options`. */
  request: Record<string, unknown>;
  stream: boolean;
  /** Whether the client asked for the usage chunk at the end of a stream. */
  includeUsage: boolean;
  /** The client's fields the version's settings replaced. */
  ignored: string[];
  /** The client's messages, for the input sample. */
  clientMessages: readonly unknown[];
}

/** The parsed body: OpenAI's fields pass through, so only what the gateway reads is checked here. */
export function parseChatBody(raw: unknown): ChatCompletionInput {
  // No storable-text check: the messages go to the provider, not the database (samples are
  // cleaned before they are recorded).
  return parseInput(ChatCompletionInput, raw, "request body", { deferTextCheck: true });
}

function userOf(input: ChatCompletionInput, headers: IncomingHttpHeaders): string {
  const header = headers[USER_HEADER];
  if (typeof header === "string") {
    if (header.length === 0 || header.length > 256) {
      throw validationError([{ path: "user", message: "must be 1-256 characters (from the X-Canary-User header)" }]);
    }
    return header;
  }
  if (input.user !== undefined) return input.user;
  throw new ValidationError("Name the end user as `user` in the body or in the X-Canary-User header: the gateway routes each user to the same version every time.", [
    { path: "user", message: "is required (or the X-Canary-User header)" },
  ]);
}

function variablesOf(input: ChatCompletionInput, headers: IncomingHttpHeaders): Record<string, string> {
  const header = headers[VARIABLES_HEADER];
  if (typeof header !== "string") return input.variables ?? {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    throw validationError([{ path: "variables", message: "must be a JSON object of strings (the X-Canary-Variables header is not JSON)" }]);
  }
  const fromHeader = parseInput(RouteVariables, parsed, "X-Canary-Variables header");
  return { ...fromHeader, ...input.variables };
}

/**
 * The call prepared from `snapshot`: throws the client's errors (400, 403, 404, 409), marked as
 * possibly newer than the snapshot where another instance may know more.
 */
export function prepareCall(snapshot: Snapshot, key: ConfigLimitedKey, input: ChatCompletionInput, headers: IncomingHttpHeaders): PreparedCall {
  const configKey = configKeyOf(input.model);
  assertKeyMayUseConfig(key, configKey, "model");
  const config = snapshot.configsByKey.get(configKey);
  if (!config) {
    throw maybeNewer(new NotFoundError(`No config with key \`${configKey}\`: send a config's key as \`model\` (GET /v1/models lists them).`, [{ path: "model", message: "names no config" }]));
  }
  if (!config.stable) {
    throw maybeNewer(new ConflictError(`Config \`${configKey}\` has no version yet; create one before calling it.`, undefined, [{ path: "model", message: "names a config without versions" }]));
  }
  const userId = userOf(input, headers);
  const variables = variablesOf(input, headers);
  const { variant, version } = pickVersion(route(userId, config.rollout?.routing ?? null), config.stable, config.canary);
  const rendered = renderPrepared(version.template, variables);
  if (!rendered.ok) {
    const { message, details } = refusalOf(rendered);
    throw new ValidationError(message, details);
  }
  const { body, ignored } = chatRequestOf(version.llm, rendered.messages, input, config.gateway.clientOverrides);
  return {
    config,
    version,
    variant,
    rolloutId: config.rollout?.id ?? null,
    request: body,
    stream: input.stream === true,
    includeUsage: input.stream_options?.include_usage === true,
    ignored,
    clientMessages: input.messages,
  };
}
