import { HISTORY_ROLE, MESSAGE_ROLES, type LlmSettings } from "../release/llm-settings";
import { FIRST_LABEL, newVersionLabel, nextLabel } from "../release/version-label";
import { escapeStop } from "./stop-text";

// The version editor's form state and how it starts from an existing version ("edit as new").
// Numbers and JSON are edited as text, so what a person typed stays on screen until the server
// (or the JSON check before sending) says what is wrong with it. Lists carry a `key` each, so a
// card keeps its identity (focus, the server's message about it) while cards move. Pure; the
// edits are in version-form-edits.ts, the request body in version-body.ts.

export type MessageRole = (typeof MESSAGE_ROLES)[number] | typeof HISTORY_ROLE;

/** The roles a message card offers, in the order of the menu. */
export const ROLE_OPTIONS: readonly { value: MessageRole; label: string }[] = [
  { value: "system", label: "system" },
  { value: "developer", label: "developer" },
  { value: "user", label: "user" },
  { value: "assistant", label: "assistant" },
  { value: HISTORY_ROLE, label: "conversation history (placeholder)" },
];

/** Provider labels the form suggests; any other label is fine too. */
export const PROVIDER_SUGGESTIONS = ["openai", "anthropic", "azure", "google", "mistral", "bedrock", "vllm", "ollama"] as const;

export interface MessageDraft {
  key: string;
  role: MessageRole;
  /** The text of a chat message; kept while the role is the history placeholder, so switching back loses nothing. */
  content: string;
  /** The placeholder's name (only the history placeholder has one). */
  name: string;
}

export interface ToolDraft {
  key: string;
  name: string;
  description: string;
  /** The parameters' JSON Schema, as text. */
  parameters: string;
}

/** What the form knows of a variable, by name; kept when the name leaves the messages for a moment. */
export interface VariableDraft {
  name: string;
  /** null: no default (the app must send a value where the variable is required). */
  default: string | null;
  description: string;
  /** For the preview only; never sent. */
  sample: string;
}

export const RESPONSE_TYPES = ["", "text", "json_object", "json_schema"] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

export interface VersionForm {
  label: string;
  model: string;
  provider: string;
  /** The provider connection's id; "": none. */
  providerId: string;
  description: string;
  messages: MessageDraft[];
  variables: VariableDraft[];
  temperature: string;
  topP: string;
  maxTokens: string;
  seed: string;
  /** One stop sequence per entry, with `\n`, `\t` and `\\` written as escapes (stop-text.ts). */
  stop: string[];
  tools: ToolDraft[];
  /** "": the provider's default; `auto`, `none`, `required`; or `tool:<name>`. */
  toolChoice: string;
  responseFormat: { type: ResponseType; name: string; description: string; strict: boolean; schema: string };
  /** `params` is not edited in the form; it is carried over from the version the form started from. */
  retrieval: { enabled: boolean; type: string; index: string; topK: string; minScore: string; reranker: string; params?: Record<string, unknown> };
  params: string;
  /** The next number for a card's key. */
  nextKey: number;
}

export const TOOL_CHOICE_PREFIX = "tool:";
export const EMPTY_PARAMETERS = '{\n  "type": "object",\n  "properties": {},\n  "required": []\n}';
const EMPTY_RESPONSE_SCHEMA = '{\n  "type": "object",\n  "properties": {},\n  "required": [],\n  "additionalProperties": false\n}';

export const EMPTY_VERSION_FORM: VersionForm = {
  label: FIRST_LABEL,
  model: "",
  provider: "",
  providerId: "",
  description: "",
  messages: [{ key: "m1", role: "system", content: "", name: "" }],
  variables: [],
  temperature: "0.7",
  topP: "1",
  maxTokens: "1024",
  seed: "",
  stop: [],
  tools: [],
  toolChoice: "",
  responseFormat: { type: "", name: "response", description: "", strict: true, schema: EMPTY_RESPONSE_SCHEMA },
  retrieval: { enabled: false, type: "vector", index: "", topK: "", minScore: "", reranker: "" },
  params: "{}",
  nextKey: 2,
};

/**
 * An empty form for a new version of a config whose labels are `labels`, newest first: labelled
 * after the latest (v1.3.0 → v1.3.1), or FIRST_LABEL when the config has no versions yet.
 */
export function emptyVersionForm(labels: readonly string[]): VersionForm {
  return { ...EMPTY_VERSION_FORM, label: newVersionLabel(labels) };
}

/** The version a form starts from: its label and settings as the admin API answers them. */
export type VersionSource = { label: string } & Pick<
  LlmSettings,
  | "model"
  | "provider"
  | "providerId"
  | "messages"
  | "temperature"
  | "topP"
  | "maxTokens"
  | "stop"
  | "seed"
  | "tools"
  | "toolChoice"
  | "responseFormat"
  | "retrievalStrategy"
  | "params"
  | "variables"
>;

const json = (value: unknown) => JSON.stringify(value, null, 2);

export function formFromVersion(v: VersionSource, takenLabels: readonly string[]): VersionForm {
  const r = v.retrievalStrategy;
  const rf = v.responseFormat;
  let key = 0;
  const next = (prefix: string) => `${prefix}${++key}`;
  return {
    label: nextLabel(v.label, takenLabels),
    model: v.model,
    provider: v.provider ?? "",
    providerId: v.providerId ?? "",
    description: "",
    messages: v.messages.map((m) =>
      m.role === HISTORY_ROLE ? { key: next("m"), role: m.role, content: "", name: m.name } : { key: next("m"), role: m.role, content: m.content, name: "" },
    ),
    variables: v.variables.map((d) => ({ name: d.name, default: d.default ?? null, description: d.description ?? "", sample: "" })),
    temperature: String(v.temperature),
    topP: String(v.topP),
    maxTokens: String(v.maxTokens),
    seed: v.seed === null ? "" : String(v.seed),
    stop: v.stop.map(escapeStop),
    tools: v.tools.map((t) => ({ key: next("t"), name: t.name, description: t.description, parameters: json(t.parameters) })),
    toolChoice: v.toolChoice === null ? "" : typeof v.toolChoice === "string" ? v.toolChoice : `${TOOL_CHOICE_PREFIX}${v.toolChoice.name}`,
    responseFormat:
      rf?.type === "json_schema"
        ? { type: "json_schema", name: rf.name, description: rf.description ?? "", strict: rf.strict ?? false, schema: json(rf.schema) }
        : { ...EMPTY_VERSION_FORM.responseFormat, type: rf?.type ?? "" },
    retrieval: {
      enabled: r !== null,
      type: r?.type ?? "vector",
      index: r?.index ?? "",
      topK: r?.topK === undefined ? "" : String(r.topK),
      minScore: r?.minScore === undefined ? "" : String(r.minScore),
      reranker: r?.reranker ?? "",
      ...(r?.params ? { params: r.params } : {}),
    },
    params: json(v.params),
    nextKey: key + 1,
  };
}
