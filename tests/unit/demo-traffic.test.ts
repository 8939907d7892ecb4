import { describe, expect, it } from "vitest";
import { assess } from "@/lib/analysis/judge";
import { rolloutMetrics } from "@/lib/analysis/rollout-metrics";
import { addSums, type VariantStats } from "@/lib/analysis/variant-stats";
import { BUILT_IN_METRICS, type Metric } from "@/lib/guardrails/registry";
import { drawIndex, gaussian, rng, type Random } from "@/lib/demo/random";
import { DEMO_CONFIGS, demoTraffic, type DemoConfig } from "@/lib/demo/scenario";
import { drawOutcome, meanRating, profileProblem, requestsDue, userPool, type ScoreValues, type VariantProfile } from "@/lib/demo/traffic-model";
import { ThresholdsSchema, type Thresholds } from "@/lib/release/rollout-schemas";
import { CreateScoreInput } from "@/lib/release/score-schemas";
import { rolloutScoreThresholds } from "@/lib/release/score-thresholds";
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

describe("drawOutcome with custom scores", () => {
  const scored: VariantProfile = {
    ...profile,
    scores: [
      { key: "groundedness", kind: "numeric", min: 0, max: 1, mean: 0.8, sd: 0.15, share: 0.3, lateShare: 0.6 },
      { key: "valid_json", kind: "boolean", trueRate: 0.9, share: 1, lateShare: 0 },
      { key: "helpfulness", kind: "numeric", min: 1, max: 10, mean: 7, sd: 1.5, share: 0, lateShare: 0.5 },
    ],
  };
  const outcomes = (() => {
    const random = rng(17);
    return Array.from({ length: 100_000 }, () => drawOutcome(random, scored));
  })();
  const ok = outcomes.filter((o) => !o.isError);
  const values = (key: string, from: (o: (typeof outcomes)[number]) => ScoreValues | null) =>
    ok.map((o) => from(o)?.[key]).filter((v) => v !== undefined);
  const now = (key: string) => values(key, (o) => o.scores);
  const late = (key: string) => values(key, (o) => o.lateScores);
  const mean = (xs: readonly unknown[]) => (xs as number[]).reduce((a, b) => a + b, 0) / xs.length;

  it("takes two more numbers per score, and leaves the other draws as they were", () => {
    const random = counting(rng(9));
    drawOutcome(random, scored);
    expect(random.calls).toBe(10 + 2 * 3);
    const [a, b] = [rng(4), rng(4)];
    const plain = drawOutcome(a, profile);
    const withScores = drawOutcome(b, scored);
    expect({ ...withScores, scores: null, lateScores: null }).toEqual(plain);
  });

  it("scores successful requests now or later as each score's shares say, never both, and failed ones never", () => {
    expect(outcomes.filter((o) => o.isError).every((o) => o.scores === null && o.lateScores === null)).toBe(true);
    expect(now("groundedness").length / ok.length).toBeCloseTo(0.3, 2);
    expect(late("groundedness").length / ok.length).toBeCloseTo(0.6, 2);
    expect(ok.some((o) => o.scores?.groundedness !== undefined && o.lateScores?.groundedness !== undefined)).toBe(false);
    expect(now("valid_json")).toHaveLength(ok.length);
    expect(late("valid_json")).toHaveLength(0);
    expect(now("helpfulness")).toHaveLength(0);
    expect(late("helpfulness").length / ok.length).toBeCloseTo(0.5, 2);
  });

  it("draws each score's values from its distribution, within its range", () => {
    const grounded = [...now("groundedness"), ...late("groundedness")] as number[];
    expect(grounded.every((v) => v >= 0 && v <= 1 && Math.round(v * 1000) === v * 1000)).toBe(true);
    expect(mean(grounded)).toBeCloseTo(0.8, 2);
    const sd = Math.sqrt(mean(grounded.map((v) => (v - 0.8) ** 2)));
    expect(sd).toBeCloseTo(0.15, 2);
    const helpful = late("helpfulness") as number[];
    expect(helpful.every((v) => v >= 1 && v <= 10)).toBe(true);
    expect(mean(helpful)).toBeCloseTo(7, 1);
    const valid = now("valid_json");
    expect(valid.every((v) => typeof v === "boolean")).toBe(true);
    expect(valid.filter((v) => v === true).length / valid.length).toBeCloseTo(0.9, 2);
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
    [
      { scores: [{ key: "ok", kind: "boolean", trueRate: 0.5, share: 1, lateShare: 0 }, { key: "ok", kind: "boolean", trueRate: 0.5, share: 0, lateShare: 1 }] },
      "`scores.ok` is given twice",
    ],
    [{ scores: [{ key: "ok", kind: "boolean", trueRate: 0.5, share: 0.6, lateShare: 0.6 }] }, "`scores.ok`: `share` and `lateShare` must be from 0 to 1 and add up to at most 1"],
    [{ scores: [{ key: "ok", kind: "boolean", trueRate: 2, share: 1, lateShare: 0 }] }, "`scores.ok.trueRate` must be from 0 to 1; it was 2"],
    [
      { scores: [{ key: "g", kind: "numeric", min: 0, max: 1, mean: 0.5, sd: 0.6, share: 1, lateShare: 0 }] },
      "`scores.g` needs min < mean < max and 0 < sd < √((mean − min)(max − mean))",
    ],
    [
      { scores: [{ key: "g", kind: "numeric", min: 0, max: 1, mean: 1, sd: 0.1, share: 1, lateShare: 0 }] },
      "`scores.g` needs min < mean < max and 0 < sd < √((mean − min)(max − mean))",
    ],
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

describe("userPool", () => {
  it("makes distinct, seeded user ids", () => {
    const users = userPool(rng(1), 2_000);
    expect(new Set(users).size).toBe(2_000);
    expect(users.every((u) => /^u_[0-9a-z]{10}$/.test(u))).toBe(true);
    expect(userPool(rng(1), 2_000)).toEqual(users);
  });
});

// The demo's story, as the judge will see it (without the clock): requests drawn from each
// config's profiles with its stages' canary shares, judged once per simulated second, as the
// controller does under steady traffic (each stored batch pokes it, at most once a second). Late
// scores count from 2-8 simulated seconds after their request, as the simulator sends them.
describe("the demo scenario under the judge", () => {
  const SEEDS = 200;

  /** A rollout's thresholds and metrics as the seed's startRollout makes them for `demo`. */
  function asStarted(demo: DemoConfig): { thresholds: Thresholds; metrics: Metric[] } {
    // Each definition is one createScore accepts, and keeps every field as written (nothing defaulted).
    for (const score of demo.scores ?? []) expect(CreateScoreInput.parse(score)).toEqual(score);
    const thresholds = ThresholdsSchema.parse({ scores: rolloutScoreThresholds(demo.key, demo.scores ?? [], {}) });
    return { thresholds, metrics: rolloutMetrics(demo.scores ?? [], thresholds.scores) };
  }

  function recordScores(stats: VariantStats, scores: ScoreValues): void {
    for (const [key, value] of Object.entries(scores)) {
      const x = typeof value === "boolean" ? Number(value) : value;
      addSums(stats, key, 1, x, x * x);
    }
  }

  function stream(seed: number, demo: DemoConfig, started = asStarted(demo)) {
    const random = rng(seed);
    const stats = { stable: emptyStats(), canary: emptyStats() };
    const lateScores: { due: number; canary: boolean; scores: ScoreValues }[] = [];
    let warned = false;
    let request = 0;
    const perSecond = Math.round(demo.traffic.requestsPerSecond);
    for (const stage of demo.stages) {
      for (let i = 1; i <= stage.minDurationSec * perSecond; i++) {
        request++;
        const canary = random() < stage.percent / 100;
        const o = drawOutcome(random, canary ? demo.traffic.canary : demo.traffic.stable);
        const variant = canary ? stats.canary : stats.stable;
        record(variant, { canary, isError: o.isError, latencyMs: o.latencyMs, rating: o.rating ?? o.lateRating, costUsd: o.costUsd });
        if (o.scores) recordScores(variant, o.scores);
        if (o.lateScores) lateScores.push({ due: request + Math.round((2 + 6 * random()) * perSecond), canary, scores: o.lateScores });
        if (i % perSecond !== 0) continue;
        for (const late of lateScores.filter((l) => l.due <= request)) recordScores(late.canary ? stats.canary : stats.stable, late.scores);
        lateScores.splice(0, lateScores.length, ...lateScores.filter((l) => l.due > request));
        const verdicts = assess(stats.stable, stats.canary, started.metrics, started.thresholds);
        const failing = verdicts.filter((v) => v.status === "fail").map((v) => v.key);
        if (failing.length) return { failing, canaryRequests: stats.canary.requests, seconds: request / perSecond, warned };
        warned ||= verdicts.some((v) => v.warning);
      }
    }
    return { failing: [], canaryRequests: stats.canary.requests, seconds: request / perSecond, warned };
  }

  const [supportChat, docSearch, policyAnswers] = ["demo-support-chat", "demo-doc-search", "demo-policy-answers"].map((key) => DEMO_CONFIGS.find((c) => c.key === key)!);
  const runs = (demo: DemoConfig, started?: ReturnType<typeof asStarted>) => Array.from({ length: SEEDS }, (_, seed) => stream(seed + 1, demo, started));
  /** The demo's time for a config: its stages' minimum durations, in seconds. */
  const demoTime = (demo: DemoConfig) => demo.stages.reduce((sum, s) => sum + s.minDurationSec, 0);

  it("almost never fails support-chat's better canary, and rarely holds it with a warning", () => {
    const all = runs(supportChat);
    const failed = all.filter((r) => r.failing.length).length;
    const warned = all.filter((r) => r.warned).length;
    console.info(`support-chat: ${failed} of ${SEEDS} streams rolled back, ${warned} saw a warning (which holds a stage until it clears)`);
    // The judge's own false-rollback rate is about 0.4 % (README): stable's error rate comes from a few hundred requests here.
    expect(failed).toBeLessThanOrEqual(SEEDS * 0.01);
    expect(warned).toBeLessThan(SEEDS * 0.1);
  });

  it("always fails doc-search's canary on its error rate before its last stage ends", () => {
    const all = runs(docSearch);
    expect(all.every((r) => r.failing.includes("error_rate"))).toBe(true);
    const needed = all.map((r) => r.canaryRequests);
    console.info(`doc-search: rolled back after a median of ${median(needed)} canary requests (max ${Math.max(...needed)})`);
  });

  it("fails policy-answers' canary on its groundedness score in its first stage, where the built-ins alone would let it through the demo", () => {
    const started = asStarted(policyAnswers);
    // One guardrail score (groundedness) judged beside the built-ins; valid_json is tracked.
    expect(started.metrics.filter((m) => m.guardrail).map((m) => m.key)).toEqual([...BUILT_IN_METRICS.map((m) => m.key), "groundedness"]);
    expect(started.thresholds.scores).toEqual({ groundedness: { form: "difference", value: 0.05 } });

    const scored = runs(policyAnswers, started);
    expect(scored.every((r) => r.failing.includes("groundedness"))).toBe(true);
    const firstStage = policyAnswers.stages[0].minDurationSec;
    const seconds = scored.map((r) => r.seconds);
    expect(scored.every((r) => r.seconds <= firstStage)).toBe(true);
    console.info(`policy-answers: rolled back on groundedness after a median of ${median(seconds)} s (max ${Math.max(...seconds)} s, the first stage lasts ${firstStage} s), ${median(scored.map((r) => r.canaryRequests))} canary requests`);

    // The same streams judged on the built-ins alone (the rollout as it would be without custom
    // scores): the canary runs through every stage; its ratings are only 0.08 lower.
    const builtIns = runs(policyAnswers, { thresholds: started.thresholds, metrics: [...BUILT_IN_METRICS] });
    const failed = builtIns.filter((r) => r.failing.length);
    console.info(`policy-answers on the built-ins alone: ${failed.length} of ${SEEDS} streams rolled back within the demo's ${demoTime(policyAnswers)} s (${failed.map((r) => r.failing.join("+")).join(", ") || "none"})`);
    expect(builtIns.every((r) => r.seconds === demoTime(policyAnswers) || r.failing.length > 0)).toBe(true);
    expect(failed.length).toBeLessThanOrEqual(SEEDS * 0.01);
    expect(failed.some((r) => r.failing.includes("rating"))).toBe(false);
    expect(meanRating(policyAnswers.traffic.stable) - meanRating(policyAnswers.traffic.canary)).toBeCloseTo(0.08, 5);
  });
});
