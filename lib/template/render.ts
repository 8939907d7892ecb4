import { parseTemplate, type Template, type TemplateNode, type TemplateProblem, type VariableUse } from "./parse";

// Renders a parsed template (lib/template/parse.ts) with the caller's values. Values are plain
// strings; a value the template does not use is ignored, so an app may send the same variables to
// every version of a config. A variable used outside every section must have a value or a
// default; one used only inside sections renders as empty text when it has neither.

export type TemplateValues = Readonly<Record<string, string>>;

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

const NONE: TemplateValues = Object.freeze({});

export function renderTemplate(template: Template, values: TemplateValues, defaults: TemplateValues = NONE): RenderResult {
  const missing = missingVariables(template.variables, values, defaults);
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, text: renderNodes(template.nodes, values, defaults) };
}

/** Parses and renders in one go, for one-off texts (a preview); parse once to render many. */
export function renderText(
  source: string,
  values: TemplateValues,
  defaults: TemplateValues = NONE,
): RenderResult | { ok: false; problems: TemplateProblem[] } {
  const parsed = parseTemplate(source);
  return parsed.ok ? renderTemplate(parsed.template, values, defaults) : parsed;
}

/** The required variables with neither a value nor a default, in order of first use. */
export function missingVariables(
  variables: readonly VariableUse[],
  values: TemplateValues,
  defaults: TemplateValues = NONE,
): string[] {
  const missing: string[] = [];
  for (const variable of variables) {
    if (variable.required && valueOf(variable.name, values, defaults) === undefined) missing.push(variable.name);
  }
  return missing;
}

/** Call only after missingVariables found none (render does): a missing variable renders as "". */
export function renderNodes(nodes: readonly TemplateNode[], values: TemplateValues, defaults: TemplateValues): string {
  if (nodes.length === 1 && nodes[0].kind === "text") return nodes[0].text; // no tags: nothing to build
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") {
      out += node.text;
    } else if (node.kind === "variable") {
      out += valueOf(node.name, values, defaults) ?? "";
    } else {
      const value = valueOf(node.name, values, defaults);
      // A section shows when its variable is set and not empty; an inverted one when it is not.
      if ((value !== undefined && value !== "") !== node.inverted) out += renderNodes(node.children, values, defaults);
    }
  }
  return out;
}

/**
 * The caller's value, else the default. Own properties only, so a variable named `constructor`
 * is not found on Object.prototype; a value that is not a string counts as not sent.
 */
function valueOf(name: string, values: TemplateValues, defaults: TemplateValues): string | undefined {
  if (Object.hasOwn(values, name) && typeof values[name] === "string") return values[name];
  if (Object.hasOwn(defaults, name) && typeof defaults[name] === "string") return defaults[name];
  return undefined;
}

/** The defaults of a version's declared variables (`[{ name, default? }]`) as values. */
export function defaultsOf(
  declared: readonly { readonly name: string; readonly default?: string | null }[],
): TemplateValues {
  // No prototype: a variable named `__proto__` is an own key like any other.
  const defaults: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const variable of declared) {
    if (typeof variable.default === "string") defaults[variable.name] = variable.default;
  }
  return defaults;
}
