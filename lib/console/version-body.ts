import { numberOrText } from "./number-or-text";
import { parseJsonObject } from "./json-text";
import { unescapeStop } from "./stop-text";
import { analyzeMessages } from "./template-preview";
import { TOOL_CHOICE_PREFIX, type VersionForm } from "./version-form";

// The version editor's form as the create-version request body, and the server's field paths
// back onto the form's inputs. Text that is not a number is sent as it is, so the server's message
// names the field; only JSON that does not parse is stopped here (there is nothing to send).
//
// Inputs are named by "input paths": the request's paths with list indices replaced by the card's
// key (`messages.2.content` → `message:m7.content`, `tools.0.parameters` → `tool:t3.parameters`,
// `variables.1.default` → `variable:customer.default`), so a message stays next to its card after
// the cards move. Pure.

export interface InputError {
  path: string;
  message: string;
}

/** Which card each list index of the sent body was. */
export interface SentOrder {
  messages: string[];
  tools: string[];
  variables: string[];
}

export type VersionBody = { ok: true; body: Record<string, unknown>; sent: SentOrder } | { ok: false; errors: InputError[] };

export function versionRequestBody(form: VersionForm, parentVersionId: string | null): VersionBody {
  const errors: InputError[] = [];
  const object = (text: string, path: string, example: string) => {
    const parsed = parseJsonObject(text.trim() === "" ? "{}" : text, example);
    if (parsed.ok) return parsed.value;
    errors.push({ path, message: parsed.problem.message });
    return null;
  };
  const params = object(form.params, "params", '{"presence_penalty": 0.2}');
  const tools = form.tools.map((t) => ({
    name: t.name.trim(),
    description: t.description,
    parameters: object(t.parameters, `tool:${t.key}.parameters`, '{"type": "object", "properties": {}}'),
  }));
  const rf = form.responseFormat;
  const schema = rf.type === "json_schema" ? object(rf.schema, "responseFormat.schema", '{"type": "object", "properties": {}}') : null;
  if (errors.length > 0) return { ok: false, errors };

  // Only variables the messages use may be described (the server refuses others), and only
  // those with something to say are sent.
  const used = new Set(analyzeMessages(form.messages).variables.map((v) => v.name));
  const variables = form.variables
    .filter((v) => used.has(v.name) && (v.default !== null || v.description.trim() !== ""))
    .map((v) => ({ name: v.name, ...(v.default !== null ? { default: v.default } : {}), ...(v.description.trim() ? { description: v.description.trim() } : {}) }));

  const body: Record<string, unknown> = {
    label: form.label.trim(),
    model: form.model,
    provider: form.provider.trim() === "" ? null : form.provider.trim(),
    providerId: form.providerId === "" ? null : form.providerId,
    messages: form.messages.map((m) => (m.role === "placeholder" ? { role: m.role, name: m.name.trim() } : { role: m.role, content: m.content })),
    temperature: numberOrText(form.temperature),
    topP: numberOrText(form.topP),
    maxTokens: numberOrText(form.maxTokens),
    stop: form.stop.map(unescapeStop),
    seed: form.seed.trim() === "" ? null : numberOrText(form.seed),
    tools,
    toolChoice: toolChoiceOf(form.toolChoice),
    responseFormat: rf.type === "" ? null : rf.type !== "json_schema" ? { type: rf.type } : {
      type: rf.type,
      name: rf.name.trim(),
      ...(rf.description.trim() ? { description: rf.description.trim() } : {}),
      schema,
      strict: rf.strict,
    },
    retrievalStrategy: retrievalOf(form.retrieval),
    params,
    variables,
    description: form.description,
    ...(parentVersionId ? { parentVersionId } : {}),
  };
  return { ok: true, body, sent: { messages: form.messages.map((m) => m.key), tools: form.tools.map((t) => t.key), variables: variables.map((v) => v.name) } };
}

function toolChoiceOf(choice: string): unknown {
  if (choice === "") return null;
  if (choice.startsWith(TOOL_CHOICE_PREFIX)) return { name: choice.slice(TOOL_CHOICE_PREFIX.length) };
  return choice;
}

function retrievalOf(r: VersionForm["retrieval"]): Record<string, unknown> | null {
  if (!r.enabled) return null;
  const optional = (text: string) => (text.trim() === "" ? undefined : numberOrText(text));
  return {
    type: r.type,
    ...(r.index.trim() ? { index: r.index.trim() } : {}),
    ...(optional(r.topK) !== undefined ? { topK: optional(r.topK) } : {}),
    ...(optional(r.minScore) !== undefined ? { minScore: optional(r.minScore) } : {}),
    ...(r.reranker.trim() ? { reranker: r.reranker.trim() } : {}),
    ...(r.params ? { params: r.params } : {}),
  };
}

const LISTS = [
  ["messages", "message", "messages"],
  ["tools", "tool", "tools"],
  ["variables", "variable", "variables"],
] as const;

/** A request path as the input path of the card it was sent from (unchanged when not in a list). */
export function inputPathOf(path: string, sent: SentOrder): string {
  for (const [field, prefix, list] of LISTS) {
    const match = new RegExp(`^${field}\\.(\\d+)(\\..*)?$`).exec(path);
    const card = match ? sent[list][Number(match[1])] : undefined;
    if (card !== undefined) return `${prefix}:${card}${match![2] ?? ""}`;
  }
  return path;
}

/**
 * The first message for an input: at its path, or inside it, then naming the rest of the path
 * (`tool:t3.parameters` shows "`properties.email.type` must be one of …").
 */
export function errorAt(errors: readonly InputError[], path: string): string | undefined {
  const error = errors.find((e) => e.path === path || e.path.startsWith(`${path}.`));
  if (!error) return undefined;
  return error.path === path ? error.message : `\`${error.path.slice(path.length + 1)}\` ${error.message}`;
}
