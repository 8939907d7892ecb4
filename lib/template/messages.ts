import { parseTemplate, type Template, type TemplateProblem, type VariableUse } from "./parse";
import { MAX_PROBLEMS } from "./syntax";
import { missingVariables, renderNodes, type TemplateValues } from "./render";

// A version's chat messages as templates: parsed once (when a version is created, when the
// routing snapshot is built, when the SDK receives a routing state) and rendered per request. A
// message whose `content` is not a string (e.g. the placeholder where the app's conversation
// history goes) passes through unchanged.

export interface MessageTemplates<M extends object> {
  readonly messages: readonly M[];
  /** Per message: its parsed content, or null when it has no string content. */
  readonly templates: readonly (Template | null)[];
  /** The variables of all messages, in order of first use; required if required in any message. */
  readonly variables: readonly VariableUse[];
}

/** A syntax problem with the field it is in, e.g. `messages.2.content`. */
export interface MessageProblem extends TemplateProblem {
  readonly path: string;
}

export type CompileResult<M extends object> =
  | { ok: true; compiled: MessageTemplates<M> }
  | { ok: false; problems: MessageProblem[] };

export type RenderMessagesResult<M extends object> = { ok: true; messages: M[] } | { ok: false; missing: string[] };

const contentOf = (message: object): unknown => (message as { content?: unknown }).content;

/** `path`: where the list sits in the request, for the problems' paths. */
export function compileMessages<M extends object>(messages: readonly M[], path = "messages"): CompileResult<M> {
  const templates: (Template | null)[] = [];
  const problems: MessageProblem[] = [];
  messages.forEach((message, index) => {
    const content = contentOf(message);
    if (typeof content !== "string") {
      templates.push(null);
      return;
    }
    const parsed = parseTemplate(content);
    if (parsed.ok) templates.push(parsed.template);
    else for (const problem of parsed.problems) problems.push({ ...problem, path: `${path}.${index}.content` });
  });
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, MAX_PROBLEMS) };
  return { ok: true, compiled: { messages, templates, variables: mergeVariables(templates) } };
}

export function mergeVariables(templates: readonly (Template | null)[]): VariableUse[] {
  const required = new Map<string, boolean>();
  for (const template of templates) {
    for (const { name, required: here } of template?.variables ?? []) {
      required.set(name, here || required.get(name) === true);
    }
  }
  return [...required].map(([name, outside]) => ({ name, required: outside }));
}

/**
 * The messages with their variables filled in. A message without tags (or escapes) comes back as
 * the same object, so a template of fixed messages costs no copies.
 */
export function renderMessages<M extends object>(
  compiled: MessageTemplates<M>,
  values: TemplateValues,
  defaults?: TemplateValues,
): RenderMessagesResult<M> {
  const fallback = defaults ?? {};
  const missing = missingVariables(compiled.variables, values, fallback);
  if (missing.length > 0) return { ok: false, missing };
  const messages = compiled.messages.map((message, index) => {
    const template = compiled.templates[index];
    if (!template) return message;
    const content = renderNodes(template.nodes, values, fallback);
    // Without tags the text is the content as written, unless it had a `\{{` escape to resolve.
    if (template.variables.length === 0 && content === contentOf(message)) return message;
    return { ...message, content };
  });
  return { ok: true, messages };
}

/** Missing variables as request problems: `{ path: "variables.customer", message }`. */
export function missingVariableProblems(
  missing: readonly string[],
  path = "variables",
): { path: string; message: string }[] {
  return missing.map((name) => ({
    path: `${path}.${name}`,
    message: "is required: the template uses it outside any section and it has no default",
  }));
}
