import { HISTORY_ROLE, type LlmSettings, type TemplateMessage } from "./llm-settings";

// A version as an OpenAI chat-completions request, and how a client's own request combines with
// it (the gateway's precedence rules, in the README): pure, so the playground and evaluators can
// build their calls with it too.
//
// - Messages: the version's rendered messages, with the client's messages in place of the first
//   history placeholder (other placeholders are dropped); without a placeholder, after them.
// - The model is always the version's: the client's `model` names the config.
// - Every other field the version sets (sampling parameters, stop, seed, tools, tool choice,
//   response format, its extra `params`) wins over the client's unless the config allows
//   overrides; the client's fields the version does not set pass through as sent.

/** The OpenAI parameters of a version: every field it sets, under the wire's names. */
export type ChatParams = Record<string, unknown>;

/** Fields the caller owns (the gateway sets `stream` and `stream_options` itself); `variables` is the gateway's own. */
const CALLER_FIELDS = new Set(["model", "messages", "stream", "stream_options", "variables"]);

/** A client field that sets what a version's field sets, under another name. */
const SAME_AS: Readonly<Record<string, string>> = { max_completion_tokens: "max_tokens" };

const cache = new WeakMap<LlmSettings, ChatParams>();

/** The version's parameters (built once per version: its settings never change). */
export function versionChatParams(llm: LlmSettings): ChatParams {
  let params = cache.get(llm);
  if (params) return params;
  params = {};
  // Extra params first: a field the version names explicitly wins over the same key there.
  for (const [key, value] of Object.entries(llm.params)) if (!CALLER_FIELDS.has(key)) params[key] = value;
  params.temperature = llm.temperature;
  params.top_p = llm.topP;
  params.max_tokens = llm.maxTokens;
  if (llm.stop.length) params.stop = llm.stop;
  if (llm.seed !== null) params.seed = llm.seed;
  if (llm.tools.length) {
    params.tools = llm.tools.map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
  }
  if (llm.toolChoice !== null) {
    params.tool_choice = typeof llm.toolChoice === "string" ? llm.toolChoice : { type: "function", function: { name: llm.toolChoice.name } };
  }
  if (llm.responseFormat !== null) {
    const { type, ...schema } = llm.responseFormat;
    params.response_format = type === "json_schema" ? { type, json_schema: schema } : { type };
  }
  cache.set(llm, params);
  return params;
}

/** The version's messages with the client's in place of the first history placeholder, or after them. */
export function placeClientMessages(rendered: readonly TemplateMessage[], client: readonly unknown[]): unknown[] {
  const messages: unknown[] = [];
  let placed = false;
  for (const message of rendered) {
    if (message.role !== HISTORY_ROLE) messages.push(message);
    else if (!placed) {
      messages.push(...client);
      placed = true;
    }
  }
  if (!placed) messages.push(...client);
  return messages;
}

export interface ChatRequestParts {
  /** The request without `stream` and `stream_options`. */
  body: Record<string, unknown>;
  /** The client's fields the version's settings replaced (none when the config allows overrides). */
  ignored: string[];
}

/** The request a client's call becomes: `client` is its body (its `messages` placed by placeClientMessages). */
export function chatRequestOf(
  llm: LlmSettings,
  rendered: readonly TemplateMessage[],
  client: Readonly<Record<string, unknown>> & { messages: readonly unknown[] },
  clientOverrides: boolean,
): ChatRequestParts {
  const params = versionChatParams(llm);
  const body: Record<string, unknown> = { model: llm.model, messages: placeClientMessages(rendered, client.messages), ...params };
  const ignored: string[] = [];
  for (const key of Object.keys(client)) {
    // `__proto__` (an own key of parsed JSON) would set the body's prototype, not a field.
    if (CALLER_FIELDS.has(key) || key === "__proto__") continue;
    const same = SAME_AS[key] ?? key;
    if (Object.hasOwn(params, same)) {
      if (!clientOverrides) {
        ignored.push(key);
        continue;
      }
      // The client's name for it replaces the version's (providers refuse both at once).
      if (same !== key) delete body[same];
    }
    body[key] = client[key];
  }
  return { body, ignored };
}
