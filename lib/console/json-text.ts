import { checkJsonSchema } from "../release/json-schema-check";

// JSON typed into the version editor: parsed with where it breaks (for the message under the
// field and the code editor's underline), and, for a JSON Schema, the same structural check the
// server runs, so most mistakes show while typing. Pure.

export interface JsonProblem {
  /** Reads after the field's name: "is not valid JSON: …" */
  message: string;
  /** 0-based offset of the problem in the text, when known (the code editor underlines from there). */
  from: number | null;
}

export type JsonText = { ok: true; value: unknown } | { ok: false; problem: JsonProblem };

export function parseJsonText(text: string): JsonText {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    // Engines say where differently ("at position 12", "(line 2 column 3)"); keep the what, say where once.
    const position = /at position (\d+)/.exec(raw);
    const from = position ? Math.min(Number(position[1]), text.length) : /end of JSON input/.test(raw) ? text.length : null;
    const what = text.trim() === "" ? "it is empty" : raw.replace(/\s*\(line \d+ column \d+\)/, "").replace(/\s*in JSON at position \d+/, "").replace(/^JSON\.parse: /, "");
    return { ok: false, problem: { message: `is not valid JSON: ${what}${from === null || text.trim() === "" ? "" : ` (${lineColumn(text, from)})`}`, from } };
  }
}

export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

/** A JSON object typed as text, e.g. extra parameters: the object, or why it is not one. */
export function parseJsonObject(text: string, example: string): { ok: true; value: Record<string, unknown> } | { ok: false; problem: JsonProblem } {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return parsed;
  if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
    return { ok: false, problem: { message: `must be a JSON object, like ${example}`, from: 0 } };
  }
  return { ok: true, value: parsed.value as Record<string, unknown> };
}

/**
 * A JSON Schema for an object (tool parameters, a response schema) typed as text: the first
 * problem, named by its path inside the schema (`properties.email.type must be …`), or null.
 */
export function jsonSchemaProblem(text: string): JsonProblem | null {
  const parsed = parseJsonObject(text, '{"type": "object", "properties": {}}');
  if (!parsed.ok) return parsed.problem;
  const [issue] = checkJsonSchema(parsed.value, { rootObject: true });
  if (!issue) return null;
  const at = issue.path.length ? `\`${issue.path.join(".")}\` ` : "";
  return { message: `${at}${issue.message}`, from: null };
}

/** Where the JSON stops parsing, for the code editor's underline; nothing when it parses or the engine did not say where. */
export function jsonParseProblems(text: string): { from: number; message: string }[] {
  const parsed = parseJsonText(text);
  return parsed.ok || parsed.problem.from === null ? [] : [{ from: parsed.problem.from, message: parsed.problem.message }];
}
