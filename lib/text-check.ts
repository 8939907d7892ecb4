import type { ErrorDetail } from "./errors";

// Text PostgreSQL cannot store: a NUL character (text and jsonb refuse U+0000) or a lone UTF-16
// surrogate (not valid Unicode; jsonb and Prisma refuse it). Checked on what a schema accepted
// (lib/validation.ts parseInput), so schema problems are reported first.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Any NUL or surrogate at all: one cheap scan that nearly every string passes. */
const SUSPECT = /[\u0000\ud800-\udfff]/;

function problemOf(text: string): string | null {
  if (!SUSPECT.test(text)) return null;
  if (text.includes("\u0000")) return "must not contain a NUL character (\\u0000)";
  if (LONE_SURROGATE.test(text)) return "must not contain an unpaired UTF-16 surrogate (not valid Unicode)";
  return null;
}

/** Whether any string or key in the value is suspect: no allocation, so the common case is cheap. */
function anySuspect(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (SUSPECT.test(v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === "object") {
      for (const key in v) {
        if (SUSPECT.test(key)) return true;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

// Bodies parsed from JSON text without any \u escape cannot hold either (JSON refuses a raw
// control character, and decoded UTF-8 has no lone surrogates): parseJsonText notes them here and
// the check skips them — one indexOf instead of a walk over every string of a large batch.
const clean = new WeakSet<object>();

export function noteParsedJson(text: string, value: unknown): void {
  if (value !== null && typeof value === "object" && !text.includes("\\u")) clean.add(value);
}

/** Whether this value is a body parsed from JSON text that had no \u escape. */
export function isCleanJson(value: unknown): boolean {
  return value !== null && typeof value === "object" && clean.has(value);
}

/** The first string (or object key) in a parsed value that PostgreSQL cannot store, with its path. */
export function findUnstorableText(value: unknown): ErrorDetail | null {
  if (!anySuspect(value)) return null;
  const stack: [unknown, string][] = [[value, ""]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      const message = problemOf(v);
      if (message) return { path: path || "(root)", message };
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, path ? `${path}.${i}` : String(i)]));
    } else if (v !== null && typeof v === "object") {
      for (const [key, item] of Object.entries(v)) {
        const at = path ? `${path}.${key}` : key;
        const message = problemOf(key);
        if (message) return { path: path || "(root)", message: message.replace("must not contain", "has a field name containing") };
        stack.push([item, at]);
      }
    }
  }
  return null;
}
