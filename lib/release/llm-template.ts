import { compileMessages, renderMessages, type MessageTemplates } from "../template/messages";
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
  return { compiled, defaults: defaultsOf(llm.variables), fixedChars, uses };
}

export type RenderOutcome = { ok: true; messages: TemplateMessage[] } | { ok: false; missing: string[] } | { ok: false; tooLong: number };

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
