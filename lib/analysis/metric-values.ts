import type { Metric } from "../guardrails/registry";
import { fromSums, histTotal, latencyQuantile, sumsOf, type VariantStats } from "./variant-stats";

// A metric's value for one variant and what it rests on, by kind: the mean of its sums (a
// proportion's mean is its rate), or a latency quantile. Charts, reports and the judge's verdict
// numbers all read values through here.

export interface MetricValue {
  value: number | null;
  /** The samples the value rests on: requests, ratings, costed requests, scored requests. */
  count: number;
}

export function metricValue(stats: VariantStats, metric: Metric): MetricValue {
  if (metric.kind === "latency_quantile") {
    const hist = stats.hists[metric.key] ?? [];
    return { value: latencyQuantile(hist, metric.quantile ?? 0.5), count: histTotal(hist) };
  }
  const moments = fromSums(sumsOf(stats, metric));
  return { value: moments.n ? moments.mean : null, count: moments.n };
}
