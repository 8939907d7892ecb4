import { HISTORY_ROLE, type LlmSettings } from "../release/llm-settings";
import type { DIFF_PARTS } from "../release/version-schemas";
import { escapeStop } from "./stop-text";
import { analyzeMessages } from "./template-preview";

// A version's settings as the version page shows them: the properties a JSON Schema describes as
// rows, the variables with whether each is required, the retrieval strategy and the tool choice
// in words. Pure.

export interface SchemaProperty {
  name: string;
  /** "string", "integer | null", "array of string", "one of: small, large". */
  type: string;
  required: boolean;
  description: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The top-level properties of an object schema, in the order written. */
export function schemaProperties(schema: unknown): SchemaProperty[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    type: typeOf(property),
    required: required.has(name),
    description: isObject(property) && typeof property.description === "string" ? property.description : "",
  }));
}

function typeOf(schema: unknown): string {
  if (!isObject(schema)) return schema === true ? "any" : "none";
  if (Array.isArray(schema.enum)) return `one of: ${schema.enum.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ")}`;
  if ("const" in schema) return `exactly ${JSON.stringify(schema.const)}`;
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : typeof schema.type === "string" ? schema.type : null;
  if (type === "array" && schema.items !== undefined) return `array of ${typeOf(schema.items)}`;
  if (type) return type;
  if (typeof schema.$ref === "string") return `see ${schema.$ref}`;
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return options.map(typeOf).join(" | ");
  }
  return "any";
}

export interface VariableSummary {
  name: string;
  required: boolean;
  default: string | null;
  description: string;
}

/** The variables a version's messages use (detected as the server does), with their defaults and descriptions. */
export function versionVariables(version: Pick<LlmSettings, "messages" | "variables">): VariableSummary[] {
  const drafts = version.messages.map((m, i) =>
    m.role === HISTORY_ROLE ? { key: String(i), role: m.role, content: "", name: m.name } : { key: String(i), role: m.role, content: m.content, name: "" },
  );
  return analyzeMessages(drafts).variables.map(({ name, required }) => {
    const declared = version.variables.find((v) => v.name === name);
    return { name, required, default: declared?.default ?? null, description: declared?.description ?? "" };
  });
}

export function toolChoiceWords(choice: LlmSettings["toolChoice"]): string {
  if (choice === null) return "the provider's default";
  if (typeof choice === "object") return `always \`${choice.name}\``;
  return { auto: "auto: the model decides", none: "none: no tool calls", required: "required: some tool" }[choice];
}

export function responseFormatWords(format: LlmSettings["responseFormat"]): string {
  if (format === null) return "the provider's default";
  if (format.type === "text") return "text";
  if (format.type === "json_object") return "a JSON object (any)";
  return `JSON matching the schema \`${format.name}\`${format.strict ? " (strict)" : ""}`;
}

export function retrievalWords(strategy: LlmSettings["retrievalStrategy"]): string {
  if (strategy === null) return "none";
  const parts = [strategy.type];
  if (strategy.index) parts.push(`on index \`${strategy.index}\``);
  if (strategy.topK !== undefined) parts.push(`top ${strategy.topK}`);
  if (strategy.minScore !== undefined) parts.push(`min score ${strategy.minScore}`);
  if (strategy.reranker) parts.push(`reranked by \`${strategy.reranker}\``);
  if (strategy.params && Object.keys(strategy.params).length) parts.push(`params ${JSON.stringify(strategy.params)}`);
  return parts.join(", ");
}

/** Stop sequences as the editor writes them (`\n` for a line break), each in backticks. */
export function stopWords(stop: readonly string[]): string {
  return stop.length === 0 ? "none" : stop.map((s) => `\`${escapeStop(s)}\``).join(" ");
}

/** Text with `code` spans cut out, for rendering the diff's and these sentences' backticks as code. */
export function codeSpans(text: string): { text: string; code: boolean }[] {
  return text.split("`").map((part, i) => ({ text: part, code: i % 2 === 1 })).filter((part) => part.text !== "");
}

/** How the diff names the part of a version each change is in, in the order the console lists them. */
export const DIFF_PART_LABELS: Record<(typeof DIFF_PARTS)[number], string> = {
  messages: "Messages",
  tools: "Tools",
  responseFormat: "Response format",
  variables: "Variables",
  settings: "Settings",
  description: "Description",
};

/**
 * The diff's changes grouped by part, parts in DIFF_PART_LABELS' order (what the template says
 * first), changes in the server's order within a part.
 */
export function changesByPart<C extends { part: (typeof DIFF_PARTS)[number] }>(changes: readonly C[]): C[] {
  const parts = Object.keys(DIFF_PART_LABELS) as (typeof DIFF_PARTS)[number][];
  return parts.flatMap((part) => changes.filter((c) => c.part === part));
}
