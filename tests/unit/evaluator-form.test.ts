import { describe, expect, it } from "vitest";
import { answerWords, emptyEvaluatorForm, evaluatorBody, evaluatorFormOf, samplingWords } from "@/lib/console/evaluator-form";
import { CreateEvaluatorInput } from "@/lib/evaluators/schemas";

describe("the evaluator form", () => {
  it("becomes a body the server accepts, the rate typed as a percentage", () => {
    const form = { ...emptyEvaluatorForm("groundedness", "prv_1"), name: "Judge", model: "gpt-4o-mini", ratePercent: "2.5" };
    const body = evaluatorBody(form);
    expect(body).toMatchObject({ answer: { format: "number" }, sampleRate: 0.025, minPerMinute: 5, maxPerMinute: 60, enabled: true });
    expect(CreateEvaluatorInput.safeParse(body).success).toBe(true);
  });

  it("sends the JSON field and the judge's scale only with the formats that have them", () => {
    const form = { ...emptyEvaluatorForm("g", "p"), format: "json_field" as const, field: " verdict.score ", scaleMin: "1", scaleMax: "5" };
    expect(evaluatorBody(form).answer).toEqual({ format: "json_field", field: "verdict.score", min: 1, max: 5 });
    expect(evaluatorBody({ ...form, format: "pass_fail" }).answer).toEqual({ format: "pass_fail" });
    expect(evaluatorBody({ ...form, format: "number", scaleMin: "", scaleMax: "" }).answer).toEqual({ format: "number" });
  });

  it("sends what is not a number as typed, for the server to name", () => {
    expect(evaluatorBody({ ...emptyEvaluatorForm(), ratePercent: "ten", maxPerMinute: "" })).toMatchObject({ sampleRate: "ten", maxPerMinute: "" });
  });

  it("reads an evaluator back into the same form", () => {
    const evaluator = { name: "J", scoreKey: "g", providerId: "p", model: "m", prompt: "{{output}}", answer: { format: "json_field" as const, field: "s", min: 0, max: 10 }, sampleRate: 0.07, minPerMinute: 0, maxPerMinute: 9, enabled: false };
    const form = evaluatorFormOf(evaluator);
    expect(form).toMatchObject({ ratePercent: "7", scaleMin: "0", scaleMax: "10", field: "s", enabled: false });
    expect(evaluatorBody(form)).toEqual(evaluator);
  });

  it("says how the answer is read and how outcomes are chosen", () => {
    expect(answerWords({ format: "number" })).toBe("a number");
    expect(answerWords({ format: "json_field", field: "verdict.score", min: 1, max: 5 })).toBe("the JSON field verdict.score on 1..5");
    expect(answerWords({ format: "pass_fail" })).toBe("PASS or FAIL");
    expect(samplingWords({ sampleRate: 0.1, minPerMinute: 5, maxPerMinute: 60 })).toBe("10 % of outcomes, at least 5 canary a minute, at most 60 a minute");
    expect(samplingWords({ sampleRate: 1, minPerMinute: 0, maxPerMinute: 60 })).toBe("100 % of outcomes, at most 60 a minute");
  });
});
