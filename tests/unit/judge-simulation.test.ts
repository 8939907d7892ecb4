import { describe, expect, it } from "vitest";
import { assess } from "@/lib/analysis/judge";
import { ThresholdsSchema } from "@/lib/release/rollout-schemas";
import { rng } from "@/lib/demo/random";
import { draw, emptyStats, record, STABLE_MODEL, type Outcome, type VariantModel } from "../helpers/llm-traffic";

// The issue's acceptance test for the judge, on synthetic streams of 20,000 requests with a 5 %
// canary share, judged after every canary request (as often as the controller could ever look).
// It prints the rollback rate and canary requests to detection next to the article's monitor
// (windows of the last 100 samples, fixed thresholds, no statistics) run on the same streams.

const thresholds = ThresholdsSchema.parse({});
const REQUESTS = 20_000;
const CANARY_SHARE = 0.05;

// `npm test` runs a quarter of the streams (the seeds are fixed, so the run is the same every
// time); `npm run test:simulation` (JUDGE_SIMULATION=full), which CI also runs, runs them all.
const SHARE = process.env.JUDGE_SIMULATION === "full" ? 1 : 0.25;
const streams = (full: number) => Math.round(full * SHARE);

const SCENARIOS: { name: string; canary: VariantModel; streams: number }[] = [
  { name: "identical", canary: STABLE_MODEL, streams: streams(1000) },
  { name: "slightly better", canary: { ...STABLE_MODEL, latencyScale: 0.9, errorRate: 0.008, ratings: [0.02, 0.04, 0.1, 0.39, 0.45] }, streams: streams(1000) },
  { name: "latency ×2", canary: { ...STABLE_MODEL, latencyScale: 2 }, streams: streams(300) },
  { name: "errors 1% → 6%", canary: { ...STABLE_MODEL, errorRate: 0.06 }, streams: streams(300) },
  { name: "rating −0.8", canary: { ...STABLE_MODEL, ratings: [0.1, 0.13, 0.3, 0.3, 0.17] }, streams: streams(300) },
];

type Monitor = "judge" | "article";

/** Canary requests until each monitor rolled back (null: never), both watching the same stream. */
function runStream(seed: number, canaryModel: VariantModel): Record<Monitor, number | null> {
  const random = rng(seed);
  const stable = emptyStats();
  const canary = emptyStats();
  const article = new ArticleMonitor();
  const result: Record<Monitor, number | null> = { judge: null, article: null };
  for (let i = 0; i < REQUESTS && (result.judge === null || result.article === null); i++) {
    const isCanary = random() < CANARY_SHARE;
    const outcome = draw(random, isCanary ? canaryModel : STABLE_MODEL, isCanary);
    record(isCanary ? canary : stable, outcome);
    if (result.article === null && article.observe(outcome)) result.article = canary.requests;
    if (result.judge === null && isCanary && assess(stable, canary, thresholds).some((v) => v.status === "fail")) result.judge = canary.requests;
  }
  return result;
}

/** The article's monitor: after every canary request, the last 100 of each variant, fixed rules. */
class ArticleMonitor {
  private readonly windows: Record<"stable" | "canary", Outcome[]> = { stable: [], canary: [] };

  observe(o: Outcome): boolean {
    const window = this.windows[o.canary ? "canary" : "stable"];
    window.push(o);
    if (window.length > 100) window.shift();
    const c = this.windows.canary;
    const s = this.windows.stable;
    if (!o.canary || c.length < 20 || s.length < 20) return false;
    const errorRate = (w: Outcome[]) => w.filter((x) => x.isError).length / w.length;
    const meanRating = (w: Outcome[]) => {
      const rated = w.filter((x) => x.rating !== null);
      return rated.length ? rated.reduce((a, x) => a + x.rating!, 0) / rated.length : null;
    };
    const p95 = (w: Outcome[]) => [...w].sort((a, b) => a.latencyMs - b.latencyMs)[Math.min(w.length - 1, Math.floor(0.95 * w.length))].latencyMs;
    if (errorRate(c) > thresholds.maxErrorRate || errorRate(c) > thresholds.maxErrorRateRatio * errorRate(s)) return true;
    const [cr, sr] = [meanRating(c), meanRating(s)];
    if (cr !== null && sr !== null && sr - cr > thresholds.maxRatingDrop) return true;
    return p95(c) > thresholds.maxP95LatencyRatio * p95(s);
  }
}

interface Row {
  scenario: string;
  monitor: Monitor;
  rolledBack: number;
  median: number | null;
  p90: number | null;
}

function summarize(scenario: string, monitor: Monitor, results: (number | null)[]): Row {
  const caught = results.filter((r): r is number => r !== null).sort((a, b) => a - b);
  const at = (q: number) => (caught.length ? caught[Math.min(caught.length - 1, Math.ceil(q * caught.length) - 1)] : null);
  return { scenario, monitor, rolledBack: caught.length / results.length, median: at(0.5), p90: at(0.9) };
}

describe(`the judge on simulated canaries (20,000 requests, 5 % canary, judged after every canary request; ${SHARE === 1 ? "all" : "a quarter of the"} streams)`, () => {
  it("almost never rolls back a good canary and catches real regressions fast, unlike the article's monitor", () => {
    const rows: Row[] = [];
    for (const scenario of SCENARIOS) {
      const results = Array.from({ length: scenario.streams }, (_, s) => runStream(1_000 + s, scenario.canary));
      for (const monitor of ["judge", "article"] as const) rows.push(summarize(scenario.name, monitor, results.map((r) => r[monitor])));
    }
    const fmt = (n: number | null) => (n === null ? "–" : String(n));
    console.info(
      ["scenario            monitor   rolled back   median canary req.   p90 canary req.", ...rows.map((r) => `${r.scenario.padEnd(19)} ${r.monitor.padEnd(9)} ${`${(r.rolledBack * 100).toFixed(1)}%`.padStart(11)}   ${fmt(r.median).padStart(18)}   ${fmt(r.p90).padStart(15)}`)].join("\n"),
    );
    const judged = Object.fromEntries(rows.filter((r) => r.monitor === "judge").map((r) => [r.scenario, r]));
    expect(judged["identical"].rolledBack).toBeLessThanOrEqual(0.01);
    expect(judged["slightly better"].rolledBack).toBeLessThanOrEqual(0.01);
    expect(judged["latency ×2"].rolledBack).toBe(1);
    expect(judged["latency ×2"].median).toBeLessThanOrEqual(30);
    expect(judged["errors 1% → 6%"].rolledBack).toBeGreaterThanOrEqual(0.99);
    expect(judged["errors 1% → 6%"].median).toBeLessThanOrEqual(150);
    expect(judged["rating −0.8"].rolledBack).toBeGreaterThanOrEqual(0.95);
  }, 600_000);
});
