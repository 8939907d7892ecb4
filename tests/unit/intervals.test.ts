import { describe, expect, it } from "vitest";
import { summarize } from "@/lib/analysis/summary";
import { addHist, addSums, emptyStats, latencyAtRank, latencyCountAbove, type VariantStats } from "@/lib/analysis/variant-stats";
import { intervalText } from "@/lib/console/interval-text";
import { BUILT_IN_METRICS } from "@/lib/guardrails/registry";
import { rng } from "@/lib/demo/random";
import { LATENCY_BUCKETS, latencyBucket, latencyBucketBounds } from "@/lib/metrics/latency-buckets";

// The rollout page's 95 % intervals (lib/analysis/summary.ts), as the variant table writes them
// (lib/console/interval-text.ts): they reflect the data, and a range never reads "x (x–x)".

const [errorRate, latency, rating, cost] = BUILT_IN_METRICS;

function withLatencies(latencies: readonly number[]): VariantStats {
  const s = emptyStats();
  s.requests = latencies.length;
  const hist = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const ms of latencies) hist[latencyBucket(ms)]++;
  addHist(s, latency.key, hist);
  addSums(s, errorRate.key, latencies.length, 0, 0);
  return s;
}

function withCosts(costs: readonly number[]): VariantStats {
  const s = emptyStats();
  s.requests = costs.length;
  // Summed one by one in floating point, as the per-minute rollups are.
  for (const c of costs) addSums(s, cost.key, 1, c, c * c);
  return s;
}

const summary = (s: VariantStats) => summarize(s, BUILT_IN_METRICS).metrics;
const sameEnds = /\((.+)–\1\)/;

describe("quantile intervals from a latency histogram", () => {
  it("are not zero-width when every request fell in one bucket", () => {
    const m = summary(withLatencies(new Array(412).fill(899)))[latency.key];
    const [lower, upper] = latencyBucketBounds(latencyBucket(899));
    for (const i of [m.quantiles!.p50, m.quantiles!.p95, m.value!]) {
      expect(i.low).toBeGreaterThanOrEqual(lower);
      expect(i.low).toBeLessThan(i.value);
      expect(i.value).toBeLessThan(i.high);
      expect(i.high).toBeLessThanOrEqual(upper);
      expect(intervalText(i, latency.unit, m.count, latency.samples)).not.toMatch(sameEnds);
    }
    expect(intervalText(m.quantiles!.p50, latency.unit, m.count, latency.samples)).toMatch(/^\d{3} ms \(\d{3} ms–\d{3} ms\)$/);
  });

  it("cover the true median in about 95 % of samples from a known distribution", () => {
    // Log-normal latencies with median 800 ms: the order-statistic interval, read off buckets 4.5 % wide.
    const random = rng(7);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const latencies = Array.from({ length: 300 }, () => 800 * Math.exp(0.5 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())));
      const p50 = summary(withLatencies(latencies))[latency.key].quantiles!.p50;
      if (p50.low <= 800 && 800 <= p50.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThan(0.995);
  });

  it("read ranks as the inverse of the count above a latency", () => {
    const hist = withLatencies([5, 12, 12, 40, 41, 300, 950, 2000]).hists[latency.key];
    for (const rank of [0.5, 2, 3.3, 6, 7.9]) expect(latencyCountAbove(hist, latencyAtRank(hist, rank))).toBeCloseTo(8 - rank, 6);
  });
});

describe("mean intervals from n, sum and sum of squares", () => {
  it("say why they are exact when every request cost the same, instead of printing equal ends", () => {
    const m = summary(withCosts(new Array(412).fill(0.0031)))[cost.key];
    expect(m.value).toMatchObject({ zeroWidth: "all_same" });
    expect(m.value!.value).toBeCloseTo(0.0031, 12);
    expect(intervalText(m.value, cost.unit, m.count, cost.samples, true)).toBe("$0.00310 (exact: all 412 costed requests the same)");
  });

  it("have width from the spread of the data, written with the digits the ends need", () => {
    const costs = Array.from({ length: 400 }, (_, i) => 0.0031 + (i % 2 ? 1e-6 : -1e-6));
    const m = summary(withCosts(costs))[cost.key];
    expect(m.value!.zeroWidth).toBeUndefined();
    expect(m.value!.high - m.value!.low).toBeCloseTo(2 * 1.96 * (1e-6 / Math.sqrt(400)), 9);
    const text = intervalText(m.value, cost.unit, m.count, cost.samples, true);
    expect(text).not.toMatch(sameEnds);
    expect(text).toMatch(/ \(400 costed requests\)$/);
  });

  it("say there is no interval yet after one sample", () => {
    const m = summary(withCosts([0.004]))[cost.key];
    expect(m.value).toMatchObject({ zeroWidth: "one_sample" });
    expect(intervalText(m.value, cost.unit, m.count, cost.samples)).toBe("$0.00400 (one costed request: no interval yet)");
  });

  it("say so when all ratings are the same", () => {
    const s = emptyStats();
    addHist(s, rating.key, [0, 0, 0, 0, 40]);
    const m = summary(s)[rating.key];
    expect(intervalText(m.value, rating.unit, m.count, rating.samples, true)).toBe("5.00 (exact: all 40 ratings the same)");
  });
});

describe("every interval the table writes", () => {
  it("never has equal ends without saying why", () => {
    const random = rng(11);
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(random() * 50);
      const spread = [0, 1e-9, 1e-6, 0.3][t % 4];
      const base = [0.0031, 899, 0.5][t % 3];
      const values = Array.from({ length: n }, () => base * (1 + spread * (random() - 0.5)));
      const s = withCosts(values);
      addHist(s, latency.key, withLatencies(values.map((v) => v * 1000)).hists[latency.key]);
      const m = summary(s);
      for (const [metric, i] of [[cost, m[cost.key].value], [latency, m[latency.key].quantiles!.p50], [latency, m[latency.key].value]] as const) {
        const text = intervalText(i, metric.unit, n, metric.samples);
        expect(text, JSON.stringify(i)).not.toMatch(sameEnds);
      }
    }
  });
});
