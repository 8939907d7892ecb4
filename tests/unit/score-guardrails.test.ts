import { describe, expect, it } from "vitest";
import { judge, type Verdict } from "@/lib/analysis/judge";
import { rolloutMetrics } from "@/lib/analysis/rollout-metrics";
import { emptyStats, type Sums } from "@/lib/analysis/variant-stats";
import type { Direction } from "@/lib/guardrails/registry";
import { ThresholdsSchema } from "@/lib/release/rollout-schemas";
import type { ScoreThreshold } from "@/lib/release/score-schemas";

// Custom scores as guardrails, judged by the judge itself (lib/analysis/judge.ts): the score as a
// config defines it, its threshold as a rollout copied it, both variants' rollup sums.

type ScoreSums = Sums;
interface ScoreTest {
  label?: string;
  kind: "boolean" | "numeric";
  direction: Direction;
  threshold: ScoreThreshold;
}

/** The verdict on one score (keyed `s`) of two variants with these sums. */
function assessScore(test: ScoreTest, stable: ScoreSums, canary: ScoreSums): Verdict {
  const thresholds = ThresholdsSchema.parse({ scores: { s: test.threshold } });
  const [metric] = rolloutMetrics([{ key: "s", label: test.label ?? "s", description: "", kind: test.kind, direction: test.direction, guardrail: true }], thresholds.scores).slice(-1);
  const [st, ca] = [emptyStats(), emptyStats()];
  st.sums.s = stable;
  ca.sums.s = canary;
  return judge(st, ca, [metric], thresholds)[0];
}
const describeScore = (_: ScoreTest, v: Verdict) => v.sentence;
const isScoreWarning = (v: Verdict) => v.warning;

/** Rollup sums of the given values. */
function sums(values: number[]): ScoreSums {
  return { n: values.length, sum: values.reduce((a, x) => a + x, 0), sqSum: values.reduce((a, x) => a + x * x, 0) };
}

/** n values with the given mean, spread evenly ±spread around it. */
function spread(n: number, mean: number, half: number): number[] {
  return Array.from({ length: n }, (_, i) => mean + (i % 2 ? half : -half));
}

/** k trues of n, as a boolean score's sums. */
const booleans = (k: number, n: number): ScoreSums => ({ n, sum: k, sqSum: k });

const groundedness: ScoreTest & { label: string } = { label: "groundedness", kind: "numeric", direction: "higher_is_better", threshold: { form: "difference", value: 0.03 } };
const validJson: ScoreTest & { label: string } = { label: "valid JSON", kind: "boolean", direction: "higher_is_better", threshold: { form: "difference", value: 0.02 } };

describe("a numeric score as a guardrail", () => {
  it("fails a mean drop past the allowed difference and says what was tested and how strong the evidence is", () => {
    const stable = sums(spread(7930, 0.86, 0.15));
    const canary = sums(spread(250, 0.82, 0.15));
    const a = assessScore(groundedness, stable, canary);
    expect(a).toMatchObject({ status: "fail", samples: { canary: 250, stable: 7930 } });
    expect(a.canary).toBeCloseTo(0.82, 10);
    expect(a.limit).toBeCloseTo(0.83, 10);
    expect(describeScore(groundedness, a)).toMatch(
      /^canary groundedness 0\.820 \(250 scored\) vs stable 0\.860 \(7,930\): 0\.040 lower, past the 0\.03 allowed; the evidence for 'worse by the allowed drop' over 'no worse' is \d,\d{3} : 1, past the 400 : 1 that rolls back$/,
    );
  });

  it("passes a canary as good as stable, and says the evidence points the other way", () => {
    const a = assessScore(groundedness, sums(spread(5000, 0.86, 0.15)), sums(spread(400, 0.86, 0.15)));
    expect(a.status).toBe("pass");
    expect(describeScore(groundedness, a)).toMatch(/: no different, within the 0\.03 allowed; the evidence for 'no worse' over 'worse by the allowed drop' is [\d,]+ : 1, past the 10 : 1 that passes$/);
  });

  it("is inconclusive, never pass, below its sample floors", () => {
    const few = assessScore(groundedness, sums(spread(5000, 0.86, 0.15)), sums(spread(29, 0.86, 0.15)));
    expect(few.status).toBe("inconclusive");
    expect(describeScore(groundedness, few)).toMatch(/; too few scored to judge \(canary has 29, needs 30\)$/);
    expect(assessScore(groundedness, sums(spread(49, 0.86, 0.15)), sums(spread(400, 0.5, 0.15))).status).toBe("inconclusive");
  });

  it("reads a noisier canary with its own variance, not stable's: more spread at the same mean is no evidence", () => {
    const stable = sums(spread(5000, 0.8, 0.02));
    const noisy = sums(spread(200, 0.78, 0.3));
    const a = assessScore(groundedness, stable, noisy);
    expect(a.status).not.toBe("fail");
    // With stable's variance alone, the same data would have been damning.
    expect(assessScore(groundedness, stable, sums(spread(200, 0.78, 0.02))).status).toBe("fail");
  });

  it("does not let one outlier against a constant stable decide (variance floored at a quarter of the threshold squared)", () => {
    const stable = sums(Array(500).fill(1));
    const canary = sums([...Array(39).fill(1), 0.9]);
    expect(assessScore(groundedness, stable, canary).status).not.toBe("fail");
  });

  it("tests a lower-is-better score against a ratio: up to value × stable's mean", () => {
    const turns: ScoreTest & { label: string } = { label: "turns", kind: "numeric", direction: "lower_is_better", threshold: { form: "ratio", value: 1.5 } };
    const stable = sums(spread(3000, 2, 1));
    const worse = assessScore(turns, stable, sums(spread(300, 3.2, 1)));
    expect(worse).toMatchObject({ status: "fail", limit: 3 });
    expect(describeScore(turns, worse)).toMatch(/^canary turns 3\.200 \(300 scored\) vs stable 2\.000 \(3,000\): 1\.60× stable, past the 1\.5× allowed; the evidence for 'turns at the allowed 1\.5×'/);
    expect(assessScore(turns, stable, sums(spread(300, 1.8, 1))).status).toBe("pass");
    // A higher-is-better ratio allows down to stable's / value.
    const relevance: ScoreTest = { kind: "numeric", direction: "higher_is_better", threshold: { form: "ratio", value: 1.25 } };
    expect(assessScore(relevance, stable, sums(spread(300, 2, 1))).limit).toBeCloseTo(1.6, 10);
  });

  it("has no evidence to give for a ratio of a non-positive mean", () => {
    const delta: ScoreTest = { kind: "numeric", direction: "higher_is_better", threshold: { form: "ratio", value: 2 } };
    const a = assessScore(delta, sums(spread(500, 0, 1)), sums(spread(100, -5, 1)));
    expect(a).toMatchObject({ status: "inconclusive", llr: 0, limit: null });
  });
});

describe("a boolean score as a guardrail", () => {
  it("fails a pass rate that dropped past the allowed points, in a sentence with counts", () => {
    const a = assessScore(validJson, booleans(9_500, 10_000), booleans(350, 400));
    expect(a).toMatchObject({ status: "fail", events: { canary: 350, stable: 9_500 } });
    expect(a.limit).toBeCloseTo(0.93, 3);
    expect(describeScore(validJson, a)).toMatch(
      /^canary valid JSON 87\.5% \(350 of 400\) vs stable 95\.0% \(9,500 of 10,000\): 7\.5 points lower, past the 2 points allowed; the evidence for 'worse by the allowed drop' over 'no worse' is [\d,]+ : 1, past the 400 : 1 that rolls back$/,
    );
  });

  it("passes an equal pass rate and is inconclusive in between", () => {
    expect(assessScore(validJson, booleans(9_500, 10_000), booleans(1_900, 2_000)).status).toBe("pass");
    const between = assessScore(validJson, booleans(9_500, 10_000), booleans(186, 200));
    expect(between.status).toBe("inconclusive");
    expect(describeScore(validJson, between)).toMatch(/not enough to decide \(400 : 1 for 'worse' rolls back, 10 : 1 for 'no worse' passes\)$/);
  });

  it("tests a lower-is-better rate (escalations) in the other direction, and warns on the way to a fail", () => {
    const escalated: ScoreTest & { label: string } = { label: "escalated", kind: "boolean", direction: "lower_is_better", threshold: { form: "difference", value: 0.02 } };
    expect(assessScore(escalated, booleans(300, 10_000), booleans(30, 400)).status).toBe("fail");
    expect(assessScore(escalated, booleans(300, 10_000), booleans(4, 400)).status).toBe("pass");
    const heading = assessScore(escalated, booleans(300, 10_000), booleans(12, 140));
    expect(heading.status).toBe("inconclusive");
    expect(isScoreWarning(heading)).toBe(true);
    expect(describeScore(escalated, heading)).toMatch(/^canary escalated 8\.6% \(12 of 140\) vs stable 3\.0% \(300 of 10,000\): 5\.6 points higher, past the 2 points allowed; the evidence for 'worse by the allowed rise' over 'no worse' is [\d,]+ : 1, heading for the 400 : 1 that rolls back$/);
  });

  it("keeps H1 inside (0, 1): an allowed drop larger than stable's rate still tests toward 0", () => {
    const rare: ScoreTest = { kind: "boolean", direction: "higher_is_better", threshold: { form: "difference", value: 0.05 } };
    const a = assessScore(rare, booleans(20, 1_000), booleans(0, 2_000));
    expect(a.limit).toBeCloseTo(0.0005, 6);
    expect(a.status).toBe("fail");
  });
});
