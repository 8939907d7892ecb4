import { UnsupportedMediaTypeError, ValidationError } from "../errors";
import { noteParsedJson } from "../text-check";

/**
 * A request body's text as JSON, by the rules every endpoint shares: undefined when blank, 415
 * unless it is declared JSON, 400 when it does not parse. Used by the Next wrapper
 * (lib/http/route.ts) and the hot path (lib/hot/http.ts), which read the bytes each their way.
 */
export function parseJsonText(text: string, contentType: string | null | undefined): unknown {
  if (text.trim() === "") return undefined;
  if (!/^application\/json\b/i.test(contentType ?? "")) throw new UnsupportedMediaTypeError();
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
  noteParsedJson(text, value);
  return value;
}
