import { describe, expect, it } from "vitest";
import { createScoreBody, emptyScoreForm, scoreFormOf, thresholdPreview, updateScoreBody } from "@/lib/console/score-form";
import { CreateScoreInput, UpdateScoreInput } from "@/lib/release/score-schemas";

describe("the score form", () => {
  it("makes a valid create body for a numeric score, the server picking the threshold", () => {
    const form = { ...emptyScoreForm(), key: " groundedness ", label: "Groundedness" };
    const body = createScoreBody(form);
    expect(body).toEqual({ key: "groundedness", kind: "numeric", label: "Groundedness", description: "", direction: "higher_is_better", guardrail: true, min: 0, max: 1 });
    expect(CreateScoreInput.safeParse(body).success).toBe(true);
    expect(thresholdPreview(form)).toBe("mean may drop by at most 0.05 (the default)");
  });

  it("sends no range for a boolean score, and its own threshold when one is chosen", () => {
    const form = { ...emptyScoreForm(), key: "valid_json", label: "Valid JSON", kind: "boolean" as const, thresholdForm: "difference" as const, thresholdValue: "0.03" };
    expect(createScoreBody(form)).toEqual({
      key: "valid_json",
      kind: "boolean",
      label: "Valid JSON",
      description: "",
      direction: "higher_is_better",
      guardrail: true,
      threshold: { form: "difference", value: 0.03 },
    });
    expect(thresholdPreview(form)).toBe("pass rate may drop by at most 3 points");
    expect(thresholdPreview({ ...form, thresholdForm: "default" })).toBe("pass rate may drop by at most 2 points (the default)");
  });

  it("passes text that is not a number through, so the server names the field; no preview until it is one", () => {
    const form = { ...emptyScoreForm(), key: "k", label: "K", max: "ten", thresholdForm: "ratio" as const, thresholdValue: "1.5" };
    expect(createScoreBody(form)).toMatchObject({ max: "ten" });
    expect(thresholdPreview(form)).toBeNull();
    expect(thresholdPreview({ ...form, max: "10", thresholdValue: "x" })).toBeNull();
    expect(thresholdPreview({ ...form, max: "10" })).toBe("mean may be at most 1.5× worse (down to stable's ÷ 1.5)");
  });

  it("changes a score with what it has now, never its key or kind", () => {
    const score = { key: "turns", label: "Turns", description: "", kind: "numeric" as const, min: 1, max: 20, direction: "lower_is_better" as const, guardrail: false, threshold: { form: "ratio" as const, value: 1.5 } };
    const form = scoreFormOf(score);
    const body = updateScoreBody({ ...form, label: "Turns taken" });
    expect(body).toEqual({ label: "Turns taken", description: "", direction: "lower_is_better", guardrail: false, min: 1, max: 20, threshold: { form: "ratio", value: 1.5 } });
    expect(UpdateScoreInput.safeParse(body).success).toBe(true);
  });
});
