import { describe, expect, it } from "vitest";
import { findJsonObject, readAnswer, type AnswerFormat, type ScoreShape } from "@/lib/evaluators/answer";
import { AnswerFormatSchema, CreateEvaluatorInput } from "@/lib/evaluators/schemas";
import { parseInput } from "@/lib/validation";
import { ValidationError } from "@/lib/errors";

const unit: ScoreShape = { kind: "numeric", min: 0, max: 1 };
const tenScale: ScoreShape = { kind: "numeric", min: 1, max: 10 };
const bool: ScoreShape = { kind: "boolean", min: null, max: null };
const number: AnswerFormat = { format: "number" };
const field = (f: string, scale: { min?: number; max?: number } = {}): AnswerFormat => ({ format: "json_field", field: f, ...scale });
const passFail: AnswerFormat = { format: "pass_fail" };

describe("reading a number in a range", () => {
  it.each([
    ["0.8", unit, number, 0.8],
    ["Score: 7/10", tenScale, number, 7],
    ["The answer deserves 1.", unit, number, 1],
    ["-0", unit, number, 0],
    [".25", unit, number, 0.25],
    // On the judge's scale 1..5, mapped onto the score's 0..1.
    ["4", unit, { format: "number", min: 1, max: 5 } as AnswerFormat, 0.75],
    ["1", unit, { format: "number", min: 1, max: 5 } as AnswerFormat, 0],
  ])("%j on %j with %j is %d", (text, score, answer, value) => {
    const reading = readAnswer(text, answer, score);
    expect(reading.ok).toBe(true);
    if (reading.ok) expect(reading.value).toBeCloseTo(value, 12);
  });

  it.each([
    ["no number here", unit, "The answer has no number."],
    ["7", unit, "The answer's number 7 is outside 0..1."],
    ["0", tenScale, "The answer's number 0 is outside 1..10."],
    ["1e999", unit, "The answer's number is not finite."],
    ["", unit, "The answer has no number."],
  ])("%j on %j is refused: %s", (text, score, error) => {
    expect(readAnswer(text, number, score)).toEqual({ ok: false, error });
  });
});

describe("reading a JSON field", () => {
  it.each([
    ['{"score": 0.4, "why": "vague"}', unit, field("score"), 0.4],
    ['Here you go:\n```json\n{"verdict": {"score": 9}}\n```', tenScale, field("verdict.score"), 9],
    ['Echo: {"score": 3} — done', unit, field("score", { min: 1, max: 5 }), 0.5],
    ['{"scores": [0.2, 0.9]}', unit, field("scores.1"), 0.9],
    ['{"grounded": true}', bool, field("grounded"), 1],
    ['{"grounded": "FAIL"}', bool, field("grounded"), 0],
    ['{"grounded": "pass"}', bool, field("grounded"), 1],
    ['{"grounded": 0}', bool, field("grounded"), 0],
  ])("%j on %j with %j is %d", (text, score, answer, value) => {
    const reading = readAnswer(text, answer, score);
    expect(reading).toEqual({ ok: true, value: expect.closeTo(value, 12) });
  });

  it.each([
    ["score: 0.4", unit, field("score"), "The answer has no JSON object."],
    ['{"score": 0.4', unit, field("score"), "The answer has no JSON object."],
    ["[0.4]", unit, field("score"), "The answer has no JSON object."],
    ['{"grade": 0.4}', unit, field("score"), "The answer's JSON has no field `score`."],
    ['{"score": "high"}', unit, field("score"), 'The answer\'s `score` is the text "high", not a number.'],
    ['{"score": null}', unit, field("score"), "The answer's `score` is null, not a number."],
    ['{"score": 2}', unit, field("score"), "The answer's number 2 is outside 0..1."],
    ['{"ok": "maybe"}', bool, field("ok"), 'The answer\'s `ok` is the text "maybe", not true/false or pass/fail.'],
    ['{"ok": 0.5}', bool, field("ok"), "The answer's `ok` is 0.5, not true/false or pass/fail."],
    ['{"a": {"b": 1}}', unit, field("a.b.c"), "The answer's JSON has no field `a.b.c`."],
    ['{"toString": 1}', unit, field("constructor"), "The answer's JSON has no field `constructor`."],
  ])("%j on %j with %j is refused: %s", (text, score, answer, error) => {
    expect(readAnswer(text, answer, score)).toEqual({ ok: false, error });
  });

  it("finds the object in a fenced block before trying the text between braces", () => {
    expect(findJsonObject('Note {not json}\n```json\n{"score": 1}\n```')).toEqual({ score: 1 });
  });
});

describe("reading pass or fail", () => {
  it.each([
    ["PASS", bool, 1],
    ["Verdict: passed.", bool, 1],
    ["FAIL: it invents a refund policy", bool, 0],
    ["This fails? No: PASS", bool, 1], // "fails" is not the word fail
    ["fail, though it would pass with a source", bool, 0], // the first verdict word counts
    ["pass", tenScale, 10],
    ["fail", tenScale, 1],
  ])("%j on %j is %d", (text, score, value) => {
    expect(readAnswer(text, passFail, score)).toEqual({ ok: true, value });
  });

  it.each(["", "passable", "I cannot judge this.", "failure"])("%j is refused", (text) => {
    expect(readAnswer(text, passFail, bool)).toEqual({ ok: false, error: "The answer has neither PASS nor FAIL." });
  });
});

describe("the answer format and the evaluator as input", () => {
  const valid = { name: "Groundedness judge", scoreKey: "groundedness", providerId: "prv_x", model: "gpt-4o-mini", prompt: "Rate {{output}} for {{input}}.", answer: { format: "number" } };

  it("defaults the sampling: 10 %, at least 5 canary outcomes and at most 60 a minute, enabled", () => {
    expect(parseInput(CreateEvaluatorInput, valid)).toMatchObject({ sampleRate: 0.1, minPerMinute: 5, maxPerMinute: 60, enabled: true });
  });

  it.each([
    [{ prompt: "Rate {{input}}." }, "prompt", "must use {{output}}: the answer the judge is to score"],
    [{ prompt: "Rate {{#output}}" }, "prompt", expect.stringMatching(/^is not a valid template: /)],
    [{ answer: { format: "stars" } }, "answer.format", expect.any(String)],
    [{ answer: { format: "json_field" } }, "answer.field", "must be a dotted path like score or verdict.score"],
    [{ answer: { format: "json_field", field: "a..b" } }, "answer.field", expect.stringMatching(/^must be a dotted path/)],
    [{ answer: { format: "number", min: 5, max: 1 } }, "answer.max", "must be greater than min"],
    [{ answer: { format: "pass_fail", min: 0 } }, "answer", "has unknown field `min`"],
    [{ sampleRate: 1.5 }, "sampleRate", "must be from 0 to 1"],
    [{ minPerMinute: 2.5 }, "minPerMinute", "must be a whole number"],
    [{ minPerMinute: 70 }, "minPerMinute", "must be at most maxPerMinute (60)"],
    [{ scoreKey: "Bad Key" }, "scoreKey", "must be the key of one of the config's scores"],
    [{ extra: 1 }, "(root)", "has unknown field `extra`"],
  ])("%j → 400 naming %s", (patch, path, message) => {
    let error: unknown;
    try {
      parseInput(CreateEvaluatorInput, { ...valid, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toContainEqual({ path, message });
  });

  it("keeps each format's own fields only", () => {
    expect(AnswerFormatSchema.safeParse({ format: "json_field", field: "verdict.score", min: 1, max: 5 }).success).toBe(true);
    expect(AnswerFormatSchema.safeParse({ format: "number", field: "x" }).success).toBe(false);
  });
});
