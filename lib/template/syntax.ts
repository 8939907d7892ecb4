// The template language's vocabulary, as data: what a name is, the tag sigils and the limits.
// Pure and import-free: the server (lib/release, lib/hot) and the SDK (lib/sdk) both use it, and
// the SDK runs in any JavaScript runtime. The language is described in the README ("Templates").

/** A variable name: a letter or underscore, then letters, digits and underscores (`customer_name`). */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_NAME_CHARS = 64;
/** Sections inside sections: deeper nesting is refused at parse, so rendering never runs out of stack. */
export const MAX_SECTION_DEPTH = 16;
/** A text's problems stop being collected after this many: the first ones are what an author fixes. */
export const MAX_PROBLEMS = 10;

export const OPEN = "{{";
export const CLOSE = "}}";
/** A backslash right before `{{` makes it literal text: `\{{` renders `{{`. */
export const ESCAPE = "\\";

/** The first character inside the braces says what a tag is; anything else is a variable. */
export const SIGILS = { "#": "section", "^": "inverted", "/": "close" } as const;
export type TagKind = "variable" | (typeof SIGILS)[keyof typeof SIGILS];

/** Why a text is not a valid template; stable codes a client may branch on. */
export const PROBLEM_CODES = [
  "unclosed_tag", // `{{` without a `}}` after it
  "empty_tag", // `{{}}` or `{{#}}`
  "bad_name", // `{{user.name}}`, `{{2x}}`, `{{{x}}}`, a name over MAX_NAME_CHARS
  "unclosed_section", // `{{#x}}` never closed
  "stray_close", // `{{/x}}` with no section open
  "mismatched_close", // `{{/y}}` while `x` is the open section
  "too_deep", // sections nested deeper than MAX_SECTION_DEPTH
] as const;
export type TemplateProblemCode = (typeof PROBLEM_CODES)[number];
