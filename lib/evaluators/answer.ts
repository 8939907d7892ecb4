// Reading a score from a judge's answer (pure). Three ways, chosen per evaluator:
//   number      the first number in the answer, on the judge's scale (`min`..`max`, by default the
//               score's range), mapped linearly onto the score's range;
//   json_field  a JSON object in the answer (the whole answer, a ```json block, or the text from
//               its first `{` to its last `}`) and the field at a dotted path: a number (scaled as
//               above) for a numeric score; true/false, "pass"/"fail" or 1/0 for a boolean one;
//   pass_fail   the first of the words pass/passed or fail/failed: true/false for a boolean
//               score, the range's top/bottom for a numeric one.
// An answer that cannot be read is an error whose message says what was looked for; the
// evaluation fails and is not retried (a judge asked again mostly says the same).

export interface ScoreShape {
  kind: "boolean" | "numeric";
  min: number | null;
  max: number | null;
}

export type AnswerFormat =
  | { format: "number"; min?: number; max?: number }
  | { format: "json_field"; field: string; min?: number; max?: number }
  | { format: "pass_fail" };

export type AnswerReading = { ok: true; value: number } | { ok: false; error: string };

const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/;
const VERDICT_WORD = /\b(pass(?:ed)?|fail(?:ed)?)\b/i;

export function readAnswer(text: string, answer: AnswerFormat, score: ScoreShape): AnswerReading {
  if (answer.format === "pass_fail") {
    const word = VERDICT_WORD.exec(text);
    if (!word) return { ok: false, error: "The answer has neither PASS nor FAIL." };
    return verdict(word[1].toLowerCase().startsWith("pass"), score);
  }
  if (answer.format === "number") {
    const match = NUMBER.exec(text);
    if (!match) return { ok: false, error: "The answer has no number." };
    return scaled(Number(match[0]), answer, score);
  }
  const object = findJsonObject(text);
  if (object === undefined) return { ok: false, error: "The answer has no JSON object." };
  const value = fieldAt(object, answer.field);
  if (value === undefined) return { ok: false, error: `The answer's JSON has no field \`${answer.field}\`.` };
  if (score.kind === "numeric") {
    if (typeof value !== "number") return { ok: false, error: `The answer's \`${answer.field}\` is ${describe(value)}, not a number.` };
    return scaled(value, answer, score);
  }
  if (typeof value === "boolean") return verdict(value, score);
  if (value === 1 || value === 0) return verdict(value === 1, score);
  if (typeof value === "string" && /^(pass(ed)?|true|fail(ed)?|false)$/i.test(value.trim())) return verdict(/^(pass|true)/i.test(value.trim()), score);
  return { ok: false, error: `The answer's \`${answer.field}\` is ${describe(value)}, not true/false or pass/fail.` };
}

function verdict(pass: boolean, score: ScoreShape): AnswerReading {
  if (score.kind === "boolean") return { ok: true, value: pass ? 1 : 0 };
  return { ok: true, value: (pass ? score.max : score.min) ?? (pass ? 1 : 0) };
}

/** A number on the judge's scale onto the score's range; out of the scale is an error. */
function scaled(value: number, scale: { min?: number; max?: number }, score: ScoreShape): AnswerReading {
  if (!Number.isFinite(value)) return { ok: false, error: "The answer's number is not finite." };
  const low = scale.min ?? score.min ?? 0;
  const high = scale.max ?? score.max ?? 1;
  if (value < low || value > high) return { ok: false, error: `The answer's number ${value} is outside ${low}..${high}.` };
  if (score.min === null || score.max === null || (low === score.min && high === score.max)) return { ok: true, value };
  const mapped = score.min + ((value - low) / (high - low)) * (score.max - score.min);
  return { ok: true, value: Math.min(score.max, Math.max(score.min, mapped)) };
}

/** The first JSON object the answer holds, or undefined. */
export function findJsonObject(text: string): Record<string, unknown> | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  const candidates = [text.trim(), fenced?.[1].trim(), first >= 0 && last > first ? text.slice(first, last + 1) : undefined];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** The value at a dotted path (`verdict.score`; an array index is a number: `scores.0`); own keys only. */
function fieldAt(object: unknown, path: string): unknown {
  let at: unknown = object;
  for (const part of path.split(".")) {
    if (at === null || typeof at !== "object" || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value === "object" ? "an object" : String(value);
}
