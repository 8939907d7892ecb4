import { describe, expect, it } from "vitest";
import { chooseOutcomes, type Candidate, type MinuteCount } from "@/lib/evaluators/sampling";
import { drawFor } from "@/lib/evaluators/sampler";

const MINUTE = 60_000;

/** `n` outcomes of one minute, every `canaryEvery`-th on the canary (0: none). */
function traffic(n: number, canaryEvery: number, minute = 0, from = 0): Candidate[] {
  return Array.from({ length: n }, (_, i) => ({ id: String(from + i), variant: canaryEvery && i % canaryEvery === 0 ? "canary" : "stable", minute: minute * MINUTE }));
}

/** A draw that spreads ids evenly over [0, 1): id k draws (k × 0.618…) mod 1. */
const spread = (id: string) => (Number(id) * 0.6180339887) % 1;
const none = new Map<number, MinuteCount>();
const count = (chosen: Candidate[], variant: Candidate["variant"]) => chosen.filter((c) => c.variant === variant).length;

describe("choosing the outcomes an evaluator evaluates", () => {
  it("draws each outcome with the sampling rate", () => {
    const chosen = chooseOutcomes(traffic(1000, 0), { sampleRate: 0.1, minPerMinute: 0, maxPerMinute: 10_000 }, none, spread);
    expect(chosen.length).toBeGreaterThanOrEqual(90);
    expect(chosen.length).toBeLessThanOrEqual(110);
  });

  it("tops a 1 % canary up to the minimum per minute, which the rate alone would starve", () => {
    const candidates = traffic(1000, 100); // 10 canary outcomes in the minute
    const byRate = chooseOutcomes(candidates, { sampleRate: 0.05, minPerMinute: 0, maxPerMinute: 10_000 }, none, spread);
    expect(count(byRate, "canary")).toBeLessThan(3);
    const chosen = chooseOutcomes(candidates, { sampleRate: 0.05, minPerMinute: 8, maxPerMinute: 10_000 }, none, spread);
    expect(count(chosen, "canary")).toBe(8);
    expect(count(chosen, "stable")).toBe(count(byRate, "stable")); // stable keeps its rate
  });

  it("takes every canary outcome when there are fewer than the minimum", () => {
    const chosen = chooseOutcomes(traffic(300, 100), { sampleRate: 0, minPerMinute: 5, maxPerMinute: 100 }, none, spread);
    expect(chosen.map((c) => c.id)).toEqual(["0", "100", "200"]);
  });

  it("counts what earlier passes chose in the same minute", () => {
    const rule = { sampleRate: 0, minPerMinute: 5, maxPerMinute: 100 };
    expect(count(chooseOutcomes(traffic(1000, 100), rule, new Map([[0, { canary: 3, total: 3 }]]), spread), "canary")).toBe(2);
    expect(chooseOutcomes(traffic(1000, 100), rule, new Map([[0, { canary: 5, total: 9 }]]), spread)).toEqual([]);
  });

  it("caps each minute, canary outcomes first", () => {
    const candidates = traffic(1000, 10); // 100 canary, 900 stable
    const chosen = chooseOutcomes(candidates, { sampleRate: 0.5, minPerMinute: 0, maxPerMinute: 30 }, none, spread);
    expect(chosen).toHaveLength(30);
    expect(count(chosen, "canary")).toBe(30);
    const roomy = chooseOutcomes(candidates, { sampleRate: 0.5, minPerMinute: 0, maxPerMinute: 80 }, none, spread);
    expect(count(roomy, "canary")).toBeGreaterThan(40);
    expect(count(roomy, "stable")).toBe(80 - count(roomy, "canary"));
    // A cap already reached by earlier passes leaves nothing.
    expect(chooseOutcomes(candidates, { sampleRate: 1, minPerMinute: 5, maxPerMinute: 30 }, new Map([[0, { canary: 0, total: 30 }]]), spread)).toEqual([]);
  });

  it("judges each minute on its own and keeps the candidates' order", () => {
    const candidates = [...traffic(200, 100, 0, 0), ...traffic(200, 100, 1, 200)];
    const chosen = chooseOutcomes(candidates, { sampleRate: 0, minPerMinute: 1, maxPerMinute: 100 }, new Map([[0, { canary: 1, total: 1 }]]), spread);
    expect(chosen.map((c) => [c.id, c.minute])).toEqual([["200", MINUTE]]);
    const all = chooseOutcomes(candidates, { sampleRate: 0.3, minPerMinute: 2, maxPerMinute: 100 }, none, spread);
    expect(all.map((c) => Number(c.id))).toEqual([...all.map((c) => Number(c.id))].sort((a, b) => a - b));
  });

  it("chooses nothing with a zero rate and no minimum, and everything with rate 1 under the cap", () => {
    expect(chooseOutcomes(traffic(50, 5), { sampleRate: 0, minPerMinute: 0, maxPerMinute: 100 }, none, spread)).toEqual([]);
    expect(chooseOutcomes(traffic(50, 5), { sampleRate: 1, minPerMinute: 0, maxPerMinute: 100 }, none, spread)).toHaveLength(50);
  });

  it("draws the same for the same evaluator and outcome, and differently across evaluators", () => {
    expect(drawFor("evl_a", "42")).toBe(drawFor("evl_a", "42"));
    const a = Array.from({ length: 2000 }, (_, i) => drawFor("evl_a", String(i)));
    const b = Array.from({ length: 2000 }, (_, i) => drawFor("evl_b", String(i)));
    expect(a.every((d) => d >= 0 && d < 1)).toBe(true);
    const share = a.filter((d) => d < 0.1).length / a.length;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.13);
    expect(a.filter((d, i) => (d < 0.1) === (b[i] < 0.1)).length).toBeLessThan(2000);
  });
});
