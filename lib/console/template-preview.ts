import { mergeVariables } from "../template/messages";
import { parseTemplate, type Template, type TemplateProblem } from "../template/parse";
import { renderTemplate } from "../template/render";
import { CLOSE, ESCAPE, OPEN, SIGILS, type TagKind } from "../template/syntax";
import type { MessageDraft, VariableDraft, VersionForm } from "./version-form";

// What the version editor shows beside the messages: the variables they use (detected by the
// template language's own parser, as the server detects them), a preview rendered with the sample
// values by the same renderer the server and the SDK use, and where the `{{tags}}` are, for
// highlighting. Pure.

export interface MessageAnalysis {
  /** Per message key: its parsed template, or its problems (empty for the history placeholder). */
  templates: ReadonlyMap<string, Template | null>;
  problems: ReadonlyMap<string, readonly TemplateProblem[]>;
  /** Every variable of the messages that parse, in order of first use; required if required anywhere. */
  variables: readonly { name: string; required: boolean }[];
}

export function analyzeMessages(messages: readonly MessageDraft[]): MessageAnalysis {
  const templates = new Map<string, Template | null>();
  const problems = new Map<string, TemplateProblem[]>();
  for (const m of messages) {
    if (m.role === "placeholder") {
      templates.set(m.key, null);
      continue;
    }
    const parsed = parseTemplate(m.content);
    templates.set(m.key, parsed.ok ? parsed.template : null);
    if (!parsed.ok) problems.set(m.key, parsed.problems);
  }
  return { templates, problems, variables: mergeVariables([...templates.values()]) };
}

export interface VariableRow extends VariableDraft {
  required: boolean;
}

/** The detected variables with what the form knows of each (default, description, sample). */
export function variableRows(form: VersionForm, analysis: MessageAnalysis): VariableRow[] {
  return analysis.variables.map(({ name, required }) => {
    const known = form.variables.find((v) => v.name === name);
    return { name, required, default: known?.default ?? null, description: known?.description ?? "", sample: known?.sample ?? "" };
  });
}

export type PreviewMessage =
  | { key: string; kind: "text"; role: string; text: string }
  | { key: string; kind: "history"; name: string }
  | { key: string; kind: "missing"; role: string; missing: string[] }
  | { key: string; kind: "problem"; role: string; problem: string };

/**
 * Each message as the app would receive it with the sample values (an empty sample counts as not
 * given, so a default shows through), or what keeps it from rendering.
 */
export function previewMessages(form: VersionForm, analysis: MessageAnalysis): PreviewMessage[] {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const defaults: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const v of form.variables) {
    if (v.sample !== "") values[v.name] = v.sample;
    if (v.default !== null) defaults[v.name] = v.default;
  }
  return form.messages.map((m): PreviewMessage => {
    if (m.role === "placeholder") return { key: m.key, kind: "history", name: m.name };
    const template = analysis.templates.get(m.key);
    if (!template) return { key: m.key, kind: "problem", role: m.role, problem: analysis.problems.get(m.key)?.[0]?.message ?? "cannot be read" };
    const rendered = renderTemplate(template, values, defaults);
    return rendered.ok ? { key: m.key, kind: "text", role: m.role, text: rendered.text } : { key: m.key, kind: "missing", role: m.role, missing: rendered.missing };
  });
}

export type Segment = { text: string; tag: null } | { text: string; tag: TagKind; name: string };

/**
 * The text cut into plain runs and `{{tags}}`, for highlighting. Reads tags as the parser does:
 * an odd run of backslashes before `{{` makes it literal; a `{{` with no `}}` after it is text
 * (the parser reports it).
 */
export function templateSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  let plain = 0; // where the current plain run starts
  let from = 0;
  for (let open = text.indexOf(OPEN); open !== -1; open = text.indexOf(OPEN, from)) {
    let run = 0;
    while (open - run - 1 >= from && text[open - run - 1] === ESCAPE) run++;
    if (run % 2 === 1) {
      from = open + OPEN.length;
      continue;
    }
    const close = text.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) break;
    const inner = text.slice(open + OPEN.length, close).trim();
    const tag: TagKind = (SIGILS as Record<string, TagKind | undefined>)[inner.charAt(0)] ?? "variable";
    if (open > plain) segments.push({ text: text.slice(plain, open), tag: null });
    segments.push({ text: text.slice(open, close + CLOSE.length), tag, name: tag === "variable" ? inner : inner.slice(1).trim() });
    from = plain = close + CLOSE.length;
  }
  if (plain < text.length) segments.push({ text: text.slice(plain), tag: null });
  return segments;
}

/** A message's template syntax problems, for the code editor's underline (from where each tag starts). */
export function templateProblems(text: string): { from: number; to: number; message: string }[] {
  const parsed = parseTemplate(text);
  return parsed.ok ? [] : parsed.problems.map((p) => ({ from: p.offset, to: p.offset + OPEN.length, message: p.message }));
}
