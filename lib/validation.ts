import type { z } from "zod";
import { ValidationError, type ErrorDetail } from "./errors";

/** Parses with a zod schema; failures become a 400 naming each field and its problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details: ErrorDetail[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  const first = details[0];
  const subject = first.path === "(root)" ? `The ${what}` : `The \`${first.path}\` field`;
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? "s" : ""})` : "";
  throw new ValidationError(`${subject} ${first.message}${more}.`, details);
}
