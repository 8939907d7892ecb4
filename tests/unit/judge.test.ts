import { describe, expect, it } from "vitest";
import { evidenceClause, odds } from "@/lib/analysis/evidence";
import { judge } from "@/lib/analysis/judge";
import { latencyEvidence } from "@/lib/analysis/latency-test";
import { averageLlr, decide, wilsonUpper } from "@/lib/analysis/sprt";
import { addHist, addSums, emptyStats, latencyCountAbove } from "@/lib/analysis/variant-stats";
import { BUILT_IN_METRICS } from "@/lib/guardrails/registry";
import { gaussian, rng } from "@/lib/demo/random";
import { LATENCY_BUCKETS, latencyBucket, latencyBucketBounds } from "@/lib/metrics/latency-buckets";
import { ThresholdsSchema } from "@/lib/release/rollout-schemas";

const thresholds = ThresholdsSchema.parse({});

/** Stats of n requests with the given error count, latencies cycling through `latencies`, ratings cycling through `ratings`. */
function stats(n: number, errors: number, latencies: number[], ratings: number[] = []) {
  const s = emptyStats();
  s.requests = n;
  addSums(s, "error_rate", n, errors, errors);
  const hist: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = latencyBucket(latencies[i % latencies.length]);
    hist[k] = (hist[k] ?? 0) + 1;
  }
  addHist(s, "latency", hist);
  addSums(s, "cost", n, n * 0.002, n * 0.002 ** 2);
  const counts = [0, 0, 0, 0, 0];
  ratings.forEach((r) => counts[r - 1]++);
  addHist(s, "rating", counts);
  return s;
}

describe("the judge's verdicts", () => {
  it("fails a clear regression with the numbers in a sentence a human reads", () => {
    const stable = stats(4000, 40, [900, 1100, 1200, 1300, 1600], Array(400).fill(4));
    const canary = stats(200, 14, [1800, 2200, 2400, 2600, 3200], Array(40).fill(4));
    const byGuardrail = Object.fromEntries(judge(stable, canary, BUILT_IN_METRICS, thresholds).map((v) => [v.key, v]));
    expect(byGuardrail.error_rate).toMatchObject({ status: "fail", canary: 0.07, stable: 0.01 });
    expect(byGuardrail.error_rate.sentence).toMatch(
      /^canary error rate 7\.0% \(14 of 200\) vs stable 1\.0% \(40 of 4,000\): 7\.00× stable, past the 3\.0% allowed \(3× stable, at most 5\.0%\); the evidence for 'error rate at the allowed 3\.0%' over 'no worse' is [\d,]+ : 1, past the 400 : 1 that rolls back$/,
    );
    expect(byGuardrail.latency.status).toBe("fail");
    expect(byGuardrail.latency.sentence).toMatch(
      /^canary p95 [\d,]+ ms vs stable [\d,]+ ms: 2\.00× stable, at the 2× allowed \([\d,]+ ms\); 5\.0% of canary requests took longer than [\d,]+ ms, 0\.0% of stable's; the evidence for 'p95 at the allowed 2×' over 'no worse' is over 1,000,000 : 1, past the 400 : 1 that rolls back$/,
    );
    expect(byGuardrail.cost.status).toBe("pass");
    expect(byGuardrail.cost.sentence).toMatch(/^canary cost per request \$0\.00200 \(200 costed requests\) vs stable \$0\.00200 \(4,000\): 1\.00× stable, within the 2× allowed; the evidence for 'no worse' over 'cost per request at the allowed 2×' is over 1,000,000 : 1, past the 10 : 1 that passes$/);
  });

  it("says when the evidence is not enough either way, and which way it leans", () => {
    const stableRatings = Array.from({ length: 399 }, (_, i) => 3 + (i % 3));
    const verdicts = judge(stats(4000, 40, [1000], stableRatings), stats(200, 2, [1000], [...Array(25).fill(4), ...Array(10).fill(3)]), BUILT_IN_METRICS, thresholds);
    const ratingVerdict = verdicts.find((v) => v.key === "rating")!;
    expect(ratingVerdict.status).toBe("inconclusive");
    expect(ratingVerdict.sentence).toMatch(
      /^canary mean rating 3\.71 \(35 ratings\) vs stable 4\.00 \(399\): 0\.29 lower, within the 0\.5 allowed; the evidence for 'worse by the allowed drop' over 'no worse' is [\d.,]+ : 1, not enough to decide \(400 : 1 for 'worse' rolls back, 10 : 1 for 'no worse' passes\)$/,
    );
  });

  it("says inconclusive, not pass, while a guardrail has too few samples", () => {
    const verdicts = judge(stats(4000, 40, [1000], Array(400).fill(4)), stats(200, 2, [1000], Array(10).fill(4)), BUILT_IN_METRICS, thresholds);
    const ratingVerdict = verdicts.find((v) => v.key === "rating")!;
    expect(ratingVerdict.status).toBe("inconclusive");
    expect(ratingVerdict.sentence).toMatch(/too few ratings to judge \(canary has 10, needs 30\)/);
  });

  it("names a limit only once stable has data to put it at (the charts draw no line before)", () => {
    const before = judge(emptyStats(), emptyStats(), BUILT_IN_METRICS, thresholds);
    expect(before.map((v) => [v.key, v.limit])).toEqual(BUILT_IN_METRICS.map((m) => [m.key, null]));
    const canaryOnly = judge(emptyStats(), stats(50, 1, [900], Array(40).fill(4)), BUILT_IN_METRICS, thresholds);
    expect(canaryOnly.map((v) => v.limit)).toEqual(BUILT_IN_METRICS.map(() => null));
    const withStable = judge(stats(200, 2, [900, 1100], Array(40).fill(4)), emptyStats(), BUILT_IN_METRICS, thresholds);
    expect(withStable.every((v) => v.limit !== null && Number.isFinite(v.limit)), JSON.stringify(withStable.map((v) => v.limit))).toBe(true);
  });

  it("decides only past the SPRT's bounds", () => {
    expect(decide(Math.log(400) + 0.01, 0.0025, 0.1)).toBe("worse");
    expect(decide(Math.log(400) - 0.01, 0.0025, 0.1)).toBe("undecided");
    expect(decide(Math.log(0.1) - 0.01, 0.0025, 0.1)).toBe("no_worse");
  });
});

/** n latencies, log-normal around 1.2 s (σ 0.6 of ln), a share `slowShare` of them `slowFactor` × slower, from a seeded stream. */
function latencies(seed: number, n: number, scale = 1, slowShare = 0, slowFactor = 1) {
  const random = rng(seed);
  const s = emptyStats();
  for (let i = 0; i < n; i++) {
    const slow = random() < slowShare ? slowFactor : 1;
    (s.hists.latency ??= new Array<number>(LATENCY_BUCKETS).fill(0))[latencyBucket(1200 * scale * slow * Math.exp(0.6 * gaussian(random)))]++;
    s.requests++;
  }
  return s;
}

describe("the latency guardrail tests the p95 it names", () => {
  const stable = latencies(1, 19_000);

  it("fails a canary whose slowest tenth got 8 × slower, which a shift of the typical latency does not show", () => {
    const canary = latencies(2, 1_000, 1, 0.1, 8);
    expect(judge(stable, canary, BUILT_IN_METRICS, thresholds).find((v) => v.key === "latency")!.status).toBe("fail");
    const e = latencyEvidence(stable.hists.latency, canary.hists.latency, 2);
    expect(e.shiftLlr).toBeLessThan(0); // the old test alone: evidence for "no worse"
    expect(e.quantileLlr).toBeGreaterThan(Math.log(800));
    expect(e.slower.canary).toBeGreaterThan(0.06);
    expect(e.slower.stable).toBeLessThan(0.01);
    expect(e.llr).toBeGreaterThan(Math.log(400));
    expect(e.canaryP95! / e.stableP95!).toBeGreaterThan(2.5);
  });

  it("fails a canary twice as slow throughout within the first few dozen requests, on the shift", () => {
    const e = latencyEvidence(stable.hists.latency, latencies(4, 25, 2).hists.latency, 2);
    expect(e.shiftLlr).toBeGreaterThan(Math.log(800));
    expect(e.llr).toBeGreaterThan(Math.log(400));
  });

  it("lets through a canary 1.3 × slower throughout (p95 within 2 × stable's) and passes an identical one", () => {
    expect(latencyEvidence(stable.hists.latency, latencies(3, 1_000, 1.3).hists.latency, 2).llr).toBeLessThan(Math.log(0.1));
    expect(latencyEvidence(stable.hists.latency, latencies(5, 1_000).hists.latency, 2).llr).toBeLessThan(Math.log(0.1));
  });

  it("counts requests above a latency with the bucket it falls in split on a log scale", () => {
    const s = new Array<number>(LATENCY_BUCKETS).fill(0);
    s[80] = 10;
    s[90] = 5;
    const [lower, upper] = latencyBucketBounds(80);
    expect(latencyCountAbove(s, Math.sqrt(lower * upper))).toBeCloseTo(10, 6);
    expect(latencyCountAbove(s, lower)).toBeCloseTo(15, 6);
    expect(latencyCountAbove(s, upper)).toBeCloseTo(5, 6);
    expect(latencyCountAbove(s, 1e9)).toBe(0);
  });
});

describe("the wording of evidence", () => {
  it("gives likelihood ratios as odds, never rounded up past a bound", () => {
    expect(odds(Math.log(400.9))).toBe("400 : 1");
    expect(odds(Math.log(2.349))).toBe("2.3 : 1");
    expect(odds(Math.log(12_345.6))).toBe("12,345 : 1");
    expect(odds(200)).toBe("over 1,000,000 : 1");
    expect(evidenceClause("pass", Math.log(0.05), "worse by the allowed drop")).toBe("the evidence for 'no worse' over 'worse by the allowed drop' is 20 : 1, past the 10 : 1 that passes");
  });

  it("combines two tests of one guardrail by averaging their likelihood ratios", () => {
    expect(averageLlr(Math.log(800), -50)).toBeCloseTo(Math.log(400), 6);
    expect(averageLlr(Math.log(3), Math.log(5))).toBeCloseTo(Math.log(4), 10);
    expect(averageLlr(1000, 1000)).toBeCloseTo(1000, 10);
  });

  it("bounds a share from above even with no events", () => {
    expect(wilsonUpper(0, 100, 2)).toBeGreaterThan(0.03);
    expect(wilsonUpper(50, 19_000, 2)).toBeLessThan(0.0035);
    expect(wilsonUpper(0, 0, 2)).toBe(1);
  });
});
