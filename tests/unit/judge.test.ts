import { describe, expect, it } from "vitest";
import { judge } from "@/lib/analysis/judge";
import { decide, sureness } from "@/lib/analysis/sprt";
import { emptyStats } from "@/lib/analysis/variant-stats";
import { latencyBucket } from "@/lib/metrics/latency-buckets";
import { ThresholdsSchema } from "@/lib/release/rollout-schemas";

const thresholds = ThresholdsSchema.parse({});

/** Stats of n requests with the given error count, latencies cycling through `latencies`, ratings cycling through `ratings`. */
function stats(n: number, errors: number, latencies: number[], ratings: number[] = []) {
  const s = emptyStats();
  s.requests = n;
  s.errors = errors;
  for (let i = 0; i < n; i++) {
    s.latencyHist[latencyBucket(latencies[i % latencies.length])]++;
    s.costSum += 0.002;
    s.costSqSum += 0.002 ** 2;
    s.costCount++;
  }
  ratings.forEach((r) => s.ratingHist[r - 1]++);
  return s;
}

describe("the judge's verdicts", () => {
  it("fails a clear regression with the numbers in a sentence a human reads", () => {
    const stable = stats(4000, 40, [900, 1100, 1200, 1300, 1600], Array(400).fill(4));
    const canary = stats(200, 14, [1800, 2200, 2400, 2600, 3200], Array(40).fill(4));
    const byGuardrail = Object.fromEntries(judge(stable, canary, thresholds).map((v) => [v.guardrail, v]));
    expect(byGuardrail.error_rate).toMatchObject({ status: "fail", canary: 0.07, stable: 0.01 });
    expect(byGuardrail.error_rate.sentence).toMatch(/^canary error rate 7\.0% \(14 of 200\) vs stable 1\.0% \(40 of 4,000\); worse than 3\.0% \(3× stable, at most 5\.0%\), 99\.\d\d% sure$/);
    expect(byGuardrail.latency.status).toBe("fail");
    expect(byGuardrail.latency.sentence).toMatch(/^canary p95 [\d,]+ ms vs stable [\d,]+ ms, 2\.\d\d×; worse than 2× stable, \d+\.\d\d% sure$/);
    expect(byGuardrail.cost.status).toBe("pass");
  });

  it("says inconclusive, not pass, while a guardrail has too few samples", () => {
    const verdicts = judge(stats(4000, 40, [1000], Array(400).fill(4)), stats(200, 2, [1000], Array(10).fill(4)), thresholds);
    const ratingVerdict = verdicts.find((v) => v.guardrail === "rating")!;
    expect(ratingVerdict.status).toBe("inconclusive");
    expect(ratingVerdict.sentence).toMatch(/too few samples to judge \(canary has 10, needs 30\)/);
  });

  it("decides only past the SPRT's bounds and reports how sure it is", () => {
    expect(decide(Math.log(400) + 0.01, 0.0025, 0.1)).toBe("worse");
    expect(decide(Math.log(400) - 0.01, 0.0025, 0.1)).toBe("undecided");
    expect(decide(Math.log(0.1) - 0.01, 0.0025, 0.1)).toBe("no_worse");
    expect(sureness(Math.log(400))).toBeCloseTo(0.9975, 6);
    expect(sureness(-1)).toBe(0);
  });
});
