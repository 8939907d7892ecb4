import { describe, expect, it } from "vitest";
import { canaryRequestBody, defaultCanaryForm } from "@/lib/console/canary-form";
import { StartRolloutInput } from "@/lib/release/rollout-schemas";

describe("the start-canary form", () => {
  it("starts from the defaults the server would use", () => {
    const body = canaryRequestBody(defaultCanaryForm("ver_1"), 3);
    const parsed = StartRolloutInput.parse(body);
    expect(parsed).toEqual(StartRolloutInput.parse({ canaryVersionId: "ver_1", revision: 3 }));
  });

  it("sends minutes as seconds and one user per line or comma", () => {
    const form = defaultCanaryForm("ver_1");
    form.stages = [
      { percent: "10", minutes: "0.5", minSamples: "20" },
      { percent: "100", minutes: "2", minSamples: "50" },
    ];
    form.include = "alice\n bob ,carol\n\n";
    const body = canaryRequestBody(form, 0);
    expect(body.stages).toEqual([
      { percent: 10, minDurationSec: 30, minSamples: 20 },
      { percent: 100, minDurationSec: 120, minSamples: 50 },
    ]);
    expect(body.include).toEqual(["alice", "bob", "carol"]);
    expect(body.exclude).toEqual([]);
  });

  it("passes text that is not a number through, so the server names the field", () => {
    const form = defaultCanaryForm("ver_1");
    form.stages[0].percent = "ten";
    form.thresholds.maxErrorRate = "";
    const result = StartRolloutInput.safeParse(canaryRequestBody(form, 0));
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join("."));
    expect(paths).toContain("stages.0.percent");
    expect(paths).toContain("thresholds.maxErrorRate");
  });

  it("sends only the score thresholds the person changed, as the server's override shape", () => {
    const form = defaultCanaryForm("ver_1");
    expect(canaryRequestBody(form, 0).thresholds.scores).toEqual({});
    form.scores.groundedness = { form: "difference", value: "0.05" };
    form.scores.valid_json = { form: "ratio", value: "x" };
    const body = canaryRequestBody(form, 0);
    expect(body.thresholds.scores).toEqual({ groundedness: { form: "difference", value: 0.05 }, valid_json: { form: "ratio", value: "x" } });
    const result = StartRolloutInput.safeParse(body);
    expect(result.error!.issues.map((i) => i.path.join("."))).toEqual(["thresholds.scores.valid_json.value"]);
  });
});
