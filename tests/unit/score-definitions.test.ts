import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { CreateScoreInput, defaultScoreThreshold, thresholdProblems, type ScoreThreshold } from "@/lib/release/score-schemas";
import { rolloutScoreThresholds, type GuardrailCandidate } from "@/lib/release/score-thresholds";
import { scoreDirectionWords, scoreRangeWords, scoreThresholdWords, type ScoreForWords } from "@/lib/release/score-words";
import { parseInput } from "@/lib/validation";

const bool = (direction: ScoreForWords["direction"] = "higher_is_better"): ScoreForWords => ({ kind: "boolean", direction, min: null, max: null });
const num = (min: number, max: number, direction: ScoreForWords["direction"] = "higher_is_better"): ScoreForWords => ({ kind: "numeric", direction, min, max });
const diff = (value: number): ScoreThreshold => ({ form: "difference", value });
const ratio = (value: number): ScoreThreshold => ({ form: "ratio", value });

describe("a score's threshold in words", () => {
  it.each([
    [bool(), diff(0.02), "pass rate may drop by at most 2 points"],
    [bool(), diff(0.01), "pass rate may drop by at most 1 point"],
    [bool(), diff(0.005), "pass rate may drop by at most 0.5 points"],
    [bool(), diff(0.07), "pass rate may drop by at most 7 points"], // 0.07 × 100 is 7.000000000000001
    [bool("lower_is_better"), diff(0.03), "rate of true may rise by at most 3 points"],
    [num(0, 1), diff(0.05), "mean may drop by at most 0.05"],
    [num(1, 10, "lower_is_better"), diff(0.3), "mean may rise by at most 0.3"],
    [num(0, 1), ratio(1.5), "mean may be at most 1.5× worse (down to stable's ÷ 1.5)"],
    [num(0, 100, "lower_is_better"), ratio(2), "mean may be at most 2× worse (up to 2 × stable's)"],
    [bool(), ratio(1.25), "pass rate may be at most 1.25× worse (down to stable's ÷ 1.25)"],
  ])("%j with %j: %s", (score, threshold, words) => {
    expect(scoreThresholdWords(score, threshold)).toBe(words);
  });

  it("says the range and the direction", () => {
    expect(scoreRangeWords(bool())).toBe("true or false");
    expect(scoreRangeWords(num(0, 1))).toBe("0 to 1");
    expect(scoreRangeWords(num(-0.1 - 0.2, 10))).toBe("-0.3 to 10");
    expect(scoreDirectionWords("higher_is_better")).toBe("higher is better");
    expect(scoreDirectionWords("lower_is_better")).toBe("lower is better");
  });
});

describe("score definition rules", () => {
  it("defaults: a guardrail, higher is better, 2 points of pass rate or 5 % of the range", () => {
    expect(parseInput(CreateScoreInput, { key: "ok", label: "OK", kind: "boolean" })).toMatchObject({ guardrail: true, direction: "higher_is_better", description: "" });
    expect(defaultScoreThreshold("boolean", null, null)).toEqual(diff(0.02));
    expect(defaultScoreThreshold("numeric", 1, 10)).toEqual(diff(0.45));
    expect(defaultScoreThreshold("numeric", 0, 0.3)).toEqual(diff(0.015));
  });

  it.each([
    [bool(), diff(0.99), []],
    [bool(), diff(1), ["value"]],
    [bool(), ratio(3), []],
    [num(0, 1), diff(0.999), []],
    [num(0, 1), diff(1), ["value"]],
    [num(0, 1), ratio(2), []],
    [num(-1, 1), ratio(2), ["form"]],
    [num(-1, 1), diff(1.5), []],
  ])("%j with %j: problems at %j", (score, threshold, paths) => {
    expect(thresholdProblems(score, threshold).map((p) => p.path.join("."))).toEqual(paths);
  });

  it("judges a definition only by what is well-formed (no 'min is required' for an unknown kind)", () => {
    expect(() => parseInput(CreateScoreInput, { key: "k", label: "x", kind: "float" })).toThrow("The `kind` field must be boolean or numeric.");
  });
});

describe("the score thresholds a rollout starts with", () => {
  const scores: GuardrailCandidate[] = [
    { key: "groundedness", ...num(0, 1), guardrail: true, threshold: diff(0.05) },
    { key: "valid_json", ...bool(), guardrail: true, threshold: diff(0.02) },
    { key: "turns", ...num(1, 50, "lower_is_better"), guardrail: false, threshold: ratio(1.5) },
  ];

  it("copies every guardrail score's threshold and none of the tracked ones", () => {
    expect(rolloutScoreThresholds("chat", scores, {})).toEqual({ groundedness: diff(0.05), valid_json: diff(0.02) });
  });

  it("takes the request's threshold for a score it names", () => {
    expect(rolloutScoreThresholds("chat", scores, { valid_json: ratio(1.2) })).toEqual({ groundedness: diff(0.05), valid_json: ratio(1.2) });
  });

  it("refuses an override of a tracked or unknown score, or one the score's rules refuse, naming each", () => {
    let error: unknown;
    try {
      rolloutScoreThresholds("chat", scores, { turns: ratio(2), nope: diff(1), groundedness: diff(1) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const { message, details } = error as ValidationError;
    expect(message).toBe("The `thresholds.scores.turns` field names a tracked score of `chat`, which is not judged; make it a guardrail first (and 2 more problems).");
    expect(details!.map((d) => d.path)).toEqual(["thresholds.scores.turns", "thresholds.scores.nope", "thresholds.scores.groundedness.value"]);
    expect(details![1].message).toBe("names no score of `chat`");
  });
});
