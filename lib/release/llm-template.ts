import { compileMessages, missingVariableProblems, renderMessages, type MessageTemplates } from "../template/messages";
import { escapeText, type TemplateNode } from "../template/parse";
import { defaultsOf, type TemplateValues } from "../template/render";
import type { LlmSettings, TemplateMessage, VariableDefinition } from "./llm-settings";

// A version's messages as a template (the language is lib/template's): the variables it uses,
// detected when the version is created, and its rendering with an app's values, prepared once per
// routing snapshot and run only for requests that send variables. Pure, and at run time it imports
// only lib/template: the SDK renders with this same file (lib/sdk/render.ts).

export const MAX_RENDERED_CHARS = 1_000_000;

/**
 * The content of the first system message, "" when there is none: what `systemPrompt` meant
 * before versions held messages, kept for clients of the first API.
 */
export function systemPromptOf(messages: readonly TemplateMessage[]): string {
  for (const m of messages) if (m.role === "system") return m.content;
  return "";
}

export interface Issue {
  path: (string | number)[];
  message: string;
}

const pathOf = (dotted: string) => dotted.split(".").map((part) => (/^\d+$/.test(part) ? Number(part) : part));

/**
 * The variables a version stores: each one its messages use, in order of first use, with the
 * default and description the request gave for it. Problems: a message that is not a valid
 * template (at `messages.N.content`) and a declared variable no message uses (at `variables.N.name`).
 */
export function detectVariables(
  messages: readonly TemplateMessage[],
  declared: readonly VariableDefinition[],
): { ok: true; variables: VariableDefinition[] } | { ok: false; issues: Issue[] } {
  const compiled = compileMessages(messages);
  if (!compiled.ok) return { ok: false, issues: compiled.problems.map((p) => ({ path: pathOf(p.path), message: p.message })) };
  const used = compiled.compiled.variables;
  const issues: Issue[] = [];
  declared.forEach((variable, i) => {
    if (!used.some((u) => u.name === variable.name)) {
      issues.push({ path: ["variables", i, "name"], message: `names \`${variable.name}\`, which no message uses` });
    }
  });
  if (issues.length) return { ok: false, issues };
  const byName = new Map(declared.map((v) => [v.name, v]));
  return { ok: true, variables: used.map(({ name }) => ({ ...byName.get(name), name })) };
}

/** A version's messages ready to render: parsed once, with the defaults and a bound on the output's size. */
export interface PreparedTemplate {
  readonly compiled: MessageTemplates<TemplateMessage>;
  readonly defaults: TemplateValues;
  /** Characters of fixed text, and how often each variable's value appears at most: the rendered size is bounded before building it. */
  readonly fixedChars: number;
  readonly uses: ReadonlyMap<string, number>;
  /** Per message, its JSON serialized once: what renderPreparedJson joins per request. */
  readonly json: readonly MessageJson[];
}

/** A message's JSON, whole and split where its content goes: `before + JSON.stringify(content) + after`. */
interface MessageJson {
  readonly whole: string;
  readonly before: string;
  readonly after: string;
}

const CONTENT_KEY = '"content":';

function messageJsonOf(message: TemplateMessage): MessageJson {
  const whole = JSON.stringify(message);
  // Rendering returns a message without content (a history placeholder) as it is: never split.
  if (!("content" in message)) return { whole, before: whole, after: "" };
  // The key itself: inside a JSON string every `"` is escaped, so `"content":` cannot occur there.
  const at = whole.indexOf(CONTENT_KEY) + CONTENT_KEY.length;
  return { whole, before: whole.slice(0, at), after: whole.slice(at + JSON.stringify(message.content).length) };
}

/**
 * Versions made before templates existed were never checked as templates: one whose text is not
 * a valid template renders as written (escaped), as its system prompt always read.
 */
export function prepareTemplate(llm: Pick<LlmSettings, "messages" | "variables">): PreparedTemplate {
  let result = compileMessages(llm.messages);
  if (!result.ok) result = compileMessages(llm.messages.map((m) => ("content" in m ? { ...m, content: escapeText(m.content) } : m)));
  if (!result.ok) throw new Error("escaped text is always a valid template");
  const compiled = result.compiled;
  const uses = new Map<string, number>();
  let fixedChars = 0;
  const walk = (nodes: readonly TemplateNode[]) => {
    for (const node of nodes) {
      if (node.kind === "text") fixedChars += node.text.length;
      else if (node.kind === "variable") uses.set(node.name, (uses.get(node.name) ?? 0) + 1);
      else walk(node.children);
    }
  };
  for (const template of compiled.templates) if (template) walk(template.nodes);
  return { compiled, defaults: defaultsOf(llm.variables), fixedChars, uses, json: compiled.messages.map(messageJsonOf) };
}

/** Why an app's values cannot render: required variables with no value, or an output too long. */
export type RenderFailure = { ok: false; missing: string[] } | { ok: false; tooLong: number };
export type RenderOutcome = { ok: true; messages: TemplateMessage[] } | RenderFailure;

/** The messages with `values` filled in (defaults where a value is missing). */
export function renderPrepared(prepared: PreparedTemplate, values: TemplateValues): RenderOutcome {
  let bound = prepared.fixedChars;
  for (const [name, count] of prepared.uses) {
    const value = Object.hasOwn(values, name) ? values[name] : prepared.defaults[name];
    if (typeof value === "string") bound += count * value.length;
  }
  if (bound > MAX_RENDERED_CHARS) return { ok: false, tooLong: bound };
  return renderMessages(prepared.compiled, values, prepared.defaults);
}

/**
 * renderPrepared's messages as JSON, equal to `JSON.stringify(messages)`: the messages rendering
 * left as they were are serialized once per version, the others only around their new content.
 */
export function renderPreparedJson(prepared: PreparedTemplate, values: TemplateValues): { ok: true; json: string } | RenderFailure {
  const result = renderPrepared(prepared, values);
  if (!result.ok) return result;
  const template = prepared.compiled.messages;
  let json = "[";
  for (let i = 0; i < result.messages.length; i++) {
    const message = result.messages[i];
    const { whole, before, after } = prepared.json[i];
    if (i > 0) json += ",";
    json += message === template[i] || !("content" in message) ? whole : before + JSON.stringify(message.content) + after;
  }
  return { ok: true, json: `${json}]` };
}

export interface RenderRefusal {
  /** One sentence naming the first problem and counting the rest. */
  message: string;
  /** Each problem at its path: `variables.<name>` for a missing variable, `variables` for the size. */
  details: { path: string; message: string }[];
}

/**
 * A failed rendering as the 400 states it, word for word the same from the server's /api/route
 * (lib/hot/route-handler.ts) and the SDK's local rendering (lib/sdk/render.ts).
 */
export function refusalOf(failure: RenderFailure): RenderRefusal {
  if ("tooLong" in failure) {
    const message = `make the rendered messages longer than ${MAX_RENDERED_CHARS} characters`;
    return { message: `The \`variables\` ${message} (${failure.tooLong}).`, details: [{ path: "variables", message }] };
  }
  const details = missingVariableProblems(failure.missing);
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? "s" : ""})` : "";
  return { message: `The \`${details[0].path}\` field ${details[0].message}${more}.`, details };
}
