import {
  CLOSE,
  ESCAPE,
  MAX_NAME_CHARS,
  MAX_PROBLEMS,
  MAX_SECTION_DEPTH,
  NAME_PATTERN,
  OPEN,
  SIGILS,
  type TagKind,
  type TemplateProblemCode,
} from "./syntax";

// Parses a template once into a tree that lib/template/render.ts renders many times (the route
// answer renders on every request that sends variables). Pure, import-free apart from ./syntax.

export type TemplateNode =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "variable"; readonly name: string }
  | {
      readonly kind: "section";
      readonly name: string;
      readonly inverted: boolean;
      readonly children: readonly TemplateNode[];
    };

/** `required`: used outside every section, so rendering fails without a value or a default. */
export interface VariableUse {
  readonly name: string;
  readonly required: boolean;
}

export interface Template {
  readonly nodes: readonly TemplateNode[];
  /** Each variable once, in order of first use (section names count, as optional). */
  readonly variables: readonly VariableUse[];
}

export interface TemplateProblem {
  readonly code: TemplateProblemCode;
  /** Reads as the end of a sentence naming the field: "The `messages.2.content` field <message>." */
  readonly message: string;
  /** Where the problem's tag starts: offset 0-based in UTF-16 code units, line and column 1-based. */
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export type ParseResult = { ok: true; template: Template } | { ok: false; problems: TemplateProblem[] };

type Tag = { type: "tag"; kind: TagKind; name: string; offset: number };
type Token = { type: "text"; text: string } | Tag;
type Problem = { code: TemplateProblemCode; offset: number; describe: (at: string) => string };
type Section = { kind: "section"; name: string; inverted: boolean; children: TemplateNode[] };

export function parseTemplate(source: string): ParseResult {
  const problems: Problem[] = [];
  const tokens = dropStandaloneLines(tokenize(source, problems));
  const { nodes, variables } = buildTree(tokens, problems);
  if (problems.length === 0) return { ok: true, template: { nodes, variables } };
  return { ok: false, problems: locate(source, problems) };
}

/**
 * A template that renders as `text` exactly, with no variables: each `{{` gets a backslash, and
 * backslashes already before a `{{` are doubled. For text that must not be read as a template
 * (a prompt written before templates existed).
 */
export function escapeText(text: string): string {
  return text.replace(/(\\*)\{\{/g, (_match, backslashes: string) => `${backslashes}${backslashes}${ESCAPE}${OPEN}`);
}

/** Text and tags; `\{{` becomes literal text (see ESCAPE), a bad tag becomes a problem. */
function tokenize(source: string, problems: Problem[]): Token[] {
  const tokens: Token[] = [];
  let text = "";
  let from = 0;
  for (let open = source.indexOf(OPEN); open !== -1; open = source.indexOf(OPEN, from)) {
    // Backslashes right before `{{` pair up: `\\` is one backslash, and an odd one out escapes
    // the braces. Anywhere else a backslash is plain text (prompts hold code and LaTeX).
    let run = 0;
    while (open - run - 1 >= from && source[open - run - 1] === ESCAPE) run++;
    text += source.slice(from, open - run) + ESCAPE.repeat(Math.floor(run / 2));
    if (run % 2 === 1) {
      text += OPEN;
      from = open + OPEN.length;
      continue;
    }
    const close = source.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) {
      problems.push({
        code: "unclosed_tag",
        offset: open,
        describe: (at) => `has \`{{\` at ${at} with no \`}}\` after it; write \`\\{{\` for a literal \`{{\``,
      });
      from = source.length;
      break;
    }
    const tag = readTag(source.slice(open + OPEN.length, close), open, problems);
    if (tag) {
      if (text !== "") tokens.push({ type: "text", text });
      text = "";
      tokens.push(tag);
    }
    from = close + CLOSE.length;
  }
  text += source.slice(from);
  if (text !== "") tokens.push({ type: "text", text });
  return tokens;
}

function readTag(inner: string, offset: number, problems: Problem[]): Tag | null {
  const trimmed = inner.trim();
  const sigil = (SIGILS as Record<string, TagKind | undefined>)[trimmed.charAt(0)];
  const kind: TagKind = sigil ?? "variable";
  const name = sigil ? trimmed.slice(1).trim() : trimmed;
  const shown = `\`{{${inner.length > 40 ? `${inner.slice(0, 37)}…` : inner}}}\``;
  let describe: ((at: string) => string) | null = null;
  let code: TemplateProblemCode = "bad_name";
  if (name === "") {
    code = "empty_tag";
    describe = (at) => `has an empty tag ${shown} at ${at}; write \`\\{{\` for a literal \`{{\``;
  } else if (name.startsWith("{")) {
    describe = (at) =>
      `has \`{{{\` at ${at}: triple braces are not needed (nothing is HTML-escaped), write \`{{${name.slice(1).trim()}}}\``;
  } else if (name.length > MAX_NAME_CHARS) {
    describe = (at) => `has a variable name of ${name.length} characters at ${at}; names are at most ${MAX_NAME_CHARS}`;
  } else if (!NAME_PATTERN.test(name)) {
    describe = (at) =>
      `has ${shown} at ${at}, which is not a tag: a name is letters, digits and underscores starting with a letter or ` +
      "underscore, and the tags are `{{name}}`, `{{#name}}`, `{{^name}}` and `{{/name}}`; write `\\{{` for a literal `{{`";
  }
  if (describe) {
    problems.push({ code, offset, describe });
    return null;
  }
  return { type: "tag", kind, name, offset };
}

/**
 * A section tag alone on its line (only spaces or tabs beside it) takes the line with it, as in
 * Mustache: `{{#context}}` on a line of its own leaves no blank line behind when `context` is
 * empty. Decided on the texts as written, since one text may end one such line and start another.
 */
function dropStandaloneLines(tokens: Token[]): Token[] {
  const last = tokens.length - 1;
  const texts = tokens.map((token) => (token.type === "text" ? token.text : null));
  const start = texts.map(() => 0);
  const end = texts.map((text) => text?.length ?? 0);
  let changed = false;
  tokens.forEach((token, i) => {
    if (token.type !== "tag" || token.kind === "variable") return;
    const before = i === 0 ? "" : texts[i - 1];
    const after = i === last ? "" : texts[i + 1];
    if (before === null || after === null) return; // another tag on the same line
    const lineStarts = /\n[ \t]*$/.test(before) || (i <= 1 && /^[ \t]*$/.test(before));
    const lineEnd = /^[ \t]*\r?\n/.exec(after) ?? (i + 1 >= last && /^[ \t]*$/.test(after) ? [after] : null);
    if (!lineStarts || !lineEnd) return;
    if (i > 0) end[i - 1] = before.length - /[ \t]*$/.exec(before)![0].length;
    if (i < last) start[i + 1] = lineEnd[0].length;
    changed = true;
  });
  if (!changed) return tokens;
  return tokens.flatMap((token, i): Token[] => {
    if (token.type !== "text") return [token];
    const text = token.text.slice(start[i], end[i]);
    return text === "" ? [] : [{ type: "text", text }];
  });
}

function buildTree(tokens: Token[], problems: Problem[]): { nodes: TemplateNode[]; variables: VariableUse[] } {
  const root: TemplateNode[] = [];
  const open: { section: Section; offset: number }[] = [];
  const required = new Map<string, boolean>(); // insertion order is first use
  const noteUse = (name: string, outside: boolean) => required.set(name, outside || required.get(name) === true);
  let children = root;
  let tooDeep = false;
  for (const token of tokens) {
    if (token.type === "text") {
      children.push({ kind: "text", text: token.text });
    } else if (token.kind === "variable") {
      children.push({ kind: "variable", name: token.name });
      noteUse(token.name, open.length === 0);
    } else if (token.kind !== "close") {
      if (open.length >= MAX_SECTION_DEPTH && !tooDeep) {
        tooDeep = true;
        problems.push({
          code: "too_deep",
          offset: token.offset,
          describe: (at) => `nests sections more than ${MAX_SECTION_DEPTH} deep at ${at}`,
        });
      }
      const section: Section = { kind: "section", name: token.name, inverted: token.kind === "inverted", children: [] };
      children.push(section);
      open.push({ section, offset: token.offset });
      children = section.children;
      noteUse(token.name, false);
    } else {
      closeSection(token, open, problems);
      children = open.length > 0 ? open[open.length - 1].section.children : root;
    }
  }
  for (const { section, offset } of open) {
    const sigil = section.inverted ? "^" : "#";
    problems.push({
      code: "unclosed_section",
      offset,
      describe: (at) =>
        `has \`{{${sigil}${section.name}}}\` at ${at} that is never closed; close it with \`{{/${section.name}}}\``,
    });
  }
  return { nodes: root, variables: [...required].map(([name, outside]) => ({ name, required: outside })) };
}

function closeSection(token: Tag, open: { section: Section; offset: number }[], problems: Problem[]): void {
  const top = open[open.length - 1];
  if (top?.section.name === token.name) {
    open.pop();
    return;
  }
  if (!top) {
    problems.push({
      code: "stray_close",
      offset: token.offset,
      describe: (at) => `has \`{{/${token.name}}}\` at ${at} but no section \`${token.name}\` is open`,
    });
    return;
  }
  problems.push({
    code: "mismatched_close",
    offset: token.offset,
    describe: (at) =>
      `has \`{{/${token.name}}}\` at ${at} while the open section is \`${top.section.name}\`; close it first`,
  });
  // Recover at the matching section if there is one, so one slip is reported once.
  const match = open.findLastIndex((entry) => entry.section.name === token.name);
  if (match !== -1) open.length = match;
}

function locate(source: string, problems: Problem[]): TemplateProblem[] {
  return problems
    .sort((a, b) => a.offset - b.offset)
    .slice(0, MAX_PROBLEMS)
    .map(({ code, offset, describe }) => {
      const lineStart = source.lastIndexOf("\n", offset - 1) + 1;
      let line = 1;
      for (let i = source.indexOf("\n"); i !== -1 && i < offset; i = source.indexOf("\n", i + 1)) line++;
      const column = offset - lineStart + 1;
      return { code, message: describe(`line ${line}, column ${column}`), offset, line, column };
    });
}
