import { describe, expect, it } from "vitest";
import { judge } from "@/lib/analysis/judge";
import { recommend, type RolloutState } from "@/lib/analysis/recommend";
import { addHist, addSums, emptyStats } from "@/lib/analysis/variant-stats";
import { BUILT_IN_METRICS } from "@/lib/guardrails/registry";
import { counted, nounFor, singularOf } from "@/lib/plural";
import { lineCounts } from "@/lib/release/diff-words";
import { ThresholdsSchema } from "@/lib/release/rollout-schemas";

// "1 lines", "1 ratings", "of 1 canary samples": counts of one say the singular everywhere.

describe("counted", () => {
  it("says the singular for exactly one", () => {
    expect(counted(1, "line")).toBe("1 line");
    expect(counted(0, "line")).toBe("0 lines");
    expect(counted(1_200, "request")).toBe("1,200 requests");
    expect(counted(2, "property", "properties")).toBe("2 properties");
    expect(nounFor(1, "canary sample")).toBe("canary sample");
  });

  it("takes the registry's plural sample nouns back to one", () => {
    expect(singularOf("requests")).toBe("request");
    expect(singularOf("costed requests")).toBe("costed request");
    expect(singularOf("ratings")).toBe("rating");
    expect(singularOf("scored")).toBe("scored");
    for (const metric of BUILT_IN_METRICS) expect(singularOf(metric.samples)).not.toMatch(/[^s]s$/);
  });

  it("the diff's line counts", () => {
    expect(lineCounts(1, 0)).toBe("1 line added");
    expect(lineCounts(2, 1)).toBe("2 lines added, 1 removed");
  });
});

describe("sentences with counts of one", () => {
  it("the judge: a canary with one rating says 1 rating", () => {
    const variant = (n: number, ratings: number[]) => {
      const s = emptyStats();
      s.requests = n;
      addSums(s, "error_rate", n, 0, 0);
      addSums(s, "cost", n, n * 0.002, n * 0.002 ** 2);
      const counts = [0, 0, 0, 0, 0];
      ratings.forEach((r) => counts[r - 1]++);
      addHist(s, "rating", counts);
      return s;
    };
    const verdicts = judge(variant(400, Array(40).fill(4)), variant(1, [5]), BUILT_IN_METRICS, ThresholdsSchema.parse({}));
    const rating = verdicts.find((v) => v.key === "rating")!;
    expect(rating.sentence).toMatch(/^canary mean rating 5\.00 \(1 rating\) vs stable 4\.00 \(40\); too few ratings to judge/);
    expect(verdicts.find((v) => v.key === "cost")!.sentence).toMatch(/\(1 costed request\) vs stable/);
  });

  it("the recommendation: a stage that needs one canary sample", () => {
    const state: RolloutState = { status: "running", stages: [{ percent: 100, minDurationSec: 0, minSamples: 1 }], currentStage: 0, stageStartedAt: new Date(0), pausedAt: null, autoPromote: false };
    const progress = { index: 0, percent: 100, minDurationSec: 0, elapsedSec: 10, minSamples: 1, samples: 0, last: true };
    expect(recommend(state, [], progress).reason).toBe("Stage 1 of 1 (100%): 0 of 1 canary sample; no guardrail fails.");
    expect(recommend(state, [], { ...progress, minSamples: 1_000 }).reason).toBe("Stage 1 of 1 (100%): 0 of 1,000 canary samples; no guardrail fails.");
  });
});
