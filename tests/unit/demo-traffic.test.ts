import { describe, expect, it } from "vitest";
import { assess } from "@/lib/analysis/judge";
import { BUILT_IN_METRICS } from "@/lib/guardrails/registry";
import { drawIndex, gaussian, rng, type Random } from "@/lib/demo/random";
import { DEMO_CONFIGS, demoTraffic, nextLabel, type DemoConfig } from "@/lib/demo/scenario";
import { drawOutcome, meanRating, profileProblem, requestsDue, userPool, type VariantProfile } from "@/lib/demo/traffic-model";
import { ThresholdsSchema } from "@/lib/release/rollout-schemas";
import { emptyStats, record } from "../helpers/llm-traffic";

// The pure half of the demo's traffic simulator: outcomes drawn from a variant's profile with a
// seeded generator, pacing, user ids, and the demo's scenario as the judge will see it.

const profile: VariantProfile = {
  errorRate: 0.1,
  errorTypes: ["timeout", "rate_limited"],
  latency: { medianMs: 1_000, sigma: 0.5 },
  ratings: [0.1, 0.1, 0.2, 0.3, 0.3],
  ratingShare: 0.2,
  lateRatingShare: 0.1,
  tokens: { input: 1_000, output: 200, sigma: 0.3 },
  pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
};

function counting(random: Random): Random & { calls: number } {
  const wrapped = Object.assign(() => (wrapped.calls++, random()), { calls: 0 });
  return wrapped;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe("seeded randomness", () => {
  it("repeats a stream for a seed and differs between seeds", () => {
    const a = rng(7);
    const b = rng(7);
    const c = rng(8);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("draws indexes with the given probabilities, leftovers to the last", () => {
    const random = rng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[drawIndex(random, [0.2, 0.5, 0.3])]++;
    expect(counts.map((n) => Math.round(n / 1000))).toEqual([20, 50, 30]);
    expect(drawIndex(() => 0.999, [0.1, 0.1])).toBe(1);
  });

  it("draws standard normals from two numbers each", () => {
    const random = counting(rng(3));
    const values = Array.from({ length: 50_000 }, () => gaussian(random));
    expect(random.calls).toBe(100_000);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });
});

describe("drawOutcome", () => {
  const outcomes = (() => {
    const random = rng(42);
    return Array.from({ length: 100_000 }, () => drawOutcome(random, profile));
  })();
  const share = (test: (o: (typeof outcomes)[number]) => boolean, of = outcomes) => of.filter(test).length / of.length;
  const ok = outcomes.filter((o) => !o.isError);

  it("is the same for the same seed, and takes the same count of numbers every time", () => {
    const a = rng(5);
    const b = rng(5);
    expect(Array.from({ length: 20 }, () => drawOutcome(a, profile))).toEqual(Array.from({ length: 20 }, () => drawOutcome(b, profile)));
    const random = counting(rng(9));
    for (let i = 0; i < 100; i++) {
      const before = random.calls;
      drawOutcome(random, profile);
      expect(random.calls - before).toBe(10);
    }
  });

  it("fails as often as the profile says, with its error types, no rating and no output", () => {
    expect(share((o) => o.isError)).toBeCloseTo(0.1, 2);
    const failed = outcomes.filter((o) => o.isError);
    expect(new Set(failed.map((o) => o.errorType))).toEqual(new Set(["timeout", "rate_limited"]));
    expect(failed.every((o) => o.rating === null && o.lateRating === null && o.outputTokens === 0 && o.inputTokens > 0)).toBe(true);
    expect(ok.every((o) => o.errorType === null && o.outputTokens > 0)).toBe(true);
  });

  it("rates successful requests now or later, never both, with the profile's distribution", () => {
    expect(share((o) => o.rating !== null, ok)).toBeCloseTo(0.2, 2);
    expect(share((o) => o.lateRating !== null, ok)).toBeCloseTo(0.1, 2);
    expect(ok.some((o) => o.rating !== null && o.lateRating !== null)).toBe(false);
    const ratings = ok.map((o) => o.rating ?? o.lateRating).filter((r): r is number => r !== null);
    expect(ratings.every((r) => Number.isInteger(r) && r >= 1 && r <= 5)).toBe(true);
    expect(ratings.reduce((a, b) => a + b, 0) / ratings.length).toBeCloseTo(meanRating(profile), 1);
  });

  it("draws log-normal latencies in whole milliseconds around the median, and prices the tokens", () => {
    expect(outcomes.every((o) => Number.isInteger(o.latencyMs) && o.latencyMs >= 1)).toBe(true);
    expect(median(outcomes.map((o) => o.latencyMs)) / 1_000).toBeCloseTo(1, 1);
    expect(median(outcomes.map((o) => o.inputTokens)) / 1_000).toBeCloseTo(1, 1);
    for (const o of outcomes.slice(0, 1_000)) {
      expect(o.costUsd).toBeCloseTo((o.inputTokens * 0.15 + o.outputTokens * 0.6) / 1e6, 8);
    }
  });
});

describe("profileProblem", () => {
  it("accepts the demo's profiles", () => {
    for (const traffic of demoTraffic()) {
      expect(profileProblem(traffic.stable)).toBeNull();
      expect(profileProblem(traffic.canary)).toBeNull();
    }
  });

  it.each([
    [{ errorRate: 1.5 }, "`errorRate` must be from 0 to 1; it was 1.5"],
    [{ ratingShare: 0.8, lateRatingShare: 0.3 }, "`ratingShare` and `lateRatingShare` must add up to at most 1"],
    [{ errorTypes: [] }, "`errorTypes` must name at least one type when `errorRate` is above 0"],
    [{ ratings: [0.5, 0.5, 0.5, 0, 0] as const }, "`ratings` must be 5 probabilities adding up to 1; they add up to 1.5"],
    [{ latency: { medianMs: 0, sigma: 1 } }, "`latency` needs a positive `medianMs` and a non-negative `sigma`"],
  ])("refuses %j", (change, message) => {
    expect(profileProblem({ ...profile, ...change } as VariantProfile)).toBe(message);
  });
});

describe("requestsDue", () => {
  it("keeps the rate exact however the timer fires", () => {
    let issued = 0;
    for (let t = 0; t <= 10_000; t += 37) issued += requestsDue(1.5, t, issued);
    expect(issued).toBe(14); // 1.5/s × 9.99 s
    issued = 0;
    for (let t = 50; t <= 1_000; t += 50) issued += requestsDue(20, t, issued);
    expect(issued).toBe(20);
  });

  it("catches up after a stall by at most maxBurst, and sends nothing at rate 0", () => {
    expect(requestsDue(20, 5_000, 0, 20)).toBe(20);
    expect(requestsDue(20, 5_000, 0)).toBe(100);
    expect(requestsDue(0, 5_000, 0)).toBe(0);
    expect(requestsDue(20, 5_000, 200)).toBe(0);
  });
});

describe("userPool and labels", () => {
  it("makes distinct, seeded user ids", () => {
    const users = userPool(rng(1), 2_000);
    expect(new Set(users).size).toBe(2_000);
    expect(users.every((u) => /^u_[0-9a-z]{10}$/.test(u))).toBe(true);
    expect(userPool(rng(1), 2_000)).toEqual(users);
  });

  it("numbers a new version after the highest v<n>", () => {
    expect(nextLabel([])).toBe("v1");
    expect(nextLabel([{ label: "v1" }, { label: "v3" }, { label: "v2.1" }, { label: "beta" }])).toBe("v4");
  });
});

// The demo's story, as the judge will see it (without the clock): requests drawn from each
// config's profiles with its stages' canary shares, judged once per simulated second, as the
// controller does under steady traffic (each stored batch pokes it, at most once a second).
describe("the demo scenario under the judge", () => {
  const thresholds = ThresholdsSchema.parse({});
  const SEEDS = 200;

  function stream(seed: number, demo: DemoConfig, requestsPerStage: number) {
    const random = rng(seed);
    const stats = { stable: emptyStats(), canary: emptyStats() };
    let warned = false;
    const perSecond = Math.round(demo.traffic.requestsPerSecond);
    for (const stage of demo.stages) {
      for (let i = 1; i <= requestsPerStage; i++) {
        const canary = random() < stage.percent / 100;
        const o = drawOutcome(random, canary ? demo.traffic.canary : demo.traffic.stable);
        record(canary ? stats.canary : stats.stable, { canary, isError: o.isError, latencyMs: o.latencyMs, rating: o.rating ?? o.lateRating, costUsd: o.costUsd });
        if (i % perSecond !== 0) continue;
        const verdicts = assess(stats.stable, stats.canary, BUILT_IN_METRICS, thresholds);
        const failing = verdicts.filter((v) => v.status === "fail").map((v) => v.key);
        if (failing.length) return { failing, canaryRequests: stats.canary.requests, warned };
        warned ||= verdicts.some((v) => v.warning);
      }
    }
    return { failing: [], canaryRequests: stats.canary.requests, warned };
  }

  const [supportChat, docSearch] = ["demo-support-chat", "demo-doc-search"].map((key) => DEMO_CONFIGS.find((c) => c.key === key)!);
  // About each stage's minimum duration at the demo's rates.
  const perStage = (demo: DemoConfig) => Math.round(demo.traffic.requestsPerSecond * demo.stages[0].minDurationSec);

  it("almost never fails support-chat's better canary, and rarely holds it with a warning", () => {
    const runs = Array.from({ length: SEEDS }, (_, seed) => stream(seed + 1, supportChat, perStage(supportChat)));
    const failed = runs.filter((r) => r.failing.length).length;
    const warned = runs.filter((r) => r.warned).length;
    console.info(`support-chat: ${failed} of ${SEEDS} streams rolled back, ${warned} saw a warning (which holds a stage until it clears)`);
    // The judge's own false-rollback rate is about 0.4 % (README): stable's error rate comes from a few hundred requests here.
    expect(failed).toBeLessThanOrEqual(SEEDS * 0.01);
    expect(warned).toBeLessThan(SEEDS * 0.1);
  });

  it("always fails doc-search's canary on its error rate before its last stage ends", () => {
    const runs = Array.from({ length: SEEDS }, (_, seed) => stream(seed + 1, docSearch, perStage(docSearch)));
    expect(runs.every((r) => r.failing.includes("error_rate"))).toBe(true);
    const needed = runs.map((r) => r.canaryRequests);
    console.info(`doc-search: rolled back after a median of ${median(needed)} canary requests (max ${Math.max(...needed)})`);
  });
});
