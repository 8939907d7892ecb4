import { z } from "zod";
import { ValidationError, type ErrorDetail } from "./errors";
import { findUnstorableText, isCleanJson } from "./text-check";

// Messages read as the end of a sentence that starts with the field's name:
// "The `temperature` field must be at most 2; it was 7."
z.config({
  customError: (issue) => {
    switch (issue.code) {
      case "invalid_type":
        if (issue.input === undefined) return "is required";
        return `must be ${article(issue.expected)}, not ${article(kindOf(issue.input))}`;
      case "unrecognized_keys":
        return `has unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `\`${k}\``).join(", ")}`;
      case "too_big":
        return `must be at most ${String(issue.maximum)}${unit(issue.origin)}`;
      case "too_small":
        return `must be at least ${String(issue.minimum)}${unit(issue.origin)}`;
      case "invalid_value":
        return `must be one of ${issue.values.map(String).join(", ")}`;
      case "invalid_key": {
        // The path ends in the refused key itself: say what a key must look like.
        const why = issue.issues[0]?.message;
        return why ? `is not an allowed key: it ${why}` : "is not an allowed key";
      }
      default:
        return undefined;
    }
  },
});

function unit(origin: string): string {
  if (origin === "string") return " characters";
  if (origin === "array" || origin === "set") return " items";
  return "";
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  // 1e309 parses to Infinity: "must be a number, not a number" would contradict itself.
  if (typeof value === "number" && !Number.isFinite(value)) return "infinite number";
  return typeof value;
}

function article(kind: string): string {
  if (kind === "null" || kind === "NaN" || kind === "undefined") return kind;
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/**
 * A page cursor: the decimal id of a row (PostgreSQL bigint), so at most 2^63 - 1 — a longer
 * number would reach the database and overflow there.
 */
export const CursorSchema = (message: string) =>
  z
    .string()
    .regex(/^\d{1,19}$/, { message, abort: true })
    .refine((value) => BigInt(value) <= 9_223_372_036_854_775_807n, message);

/** Parses with a zod schema; failures become a 400 naming each field and its problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request body", options: { deferTextCheck?: boolean } = {}): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(issueDetails(result.error), what);
  // What the schema accepted must also be storable: PostgreSQL refuses NUL and lone surrogates.
  // (deferTextCheck: the caller checks the parts it validates later, e.g. events slice by slice.)
  const unstorable = options.deferTextCheck || isCleanJson(input) ? null : findUnstorableText(result.data);
  if (unstorable) throw validationError([unstorable], what);
  return result.data;
}

/** Each issue as `{ path, message }`, the path dotted (e.g. `events.12.rating`). */
function issueDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}

/** A 400 that names the first problem and counts the rest; `details` lists them all. */
export function validationError(details: ErrorDetail[], what = "request body"): ValidationError {
  const first = details[0];
  const subject = first.path === "(root)" ? `The ${what}` : `The \`${first.path}\` field`;
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? "s" : ""})` : "";
  return new ValidationError(`${subject} ${first.message}${more}.`, details);
}
