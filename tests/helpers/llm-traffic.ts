import { emptyStats, type VariantStats } from "../../lib/analysis/variant-stats";
import { drawIndex, gaussian, type Random } from "../../lib/demo/random";
import { latencyBucket } from "../../lib/metrics/latency-buckets";

// Simulated LLM traffic for the judge's tests: latency log-normal (median 1.2 s), 1 % errors,
// ratings on 15 % of requests (mean ~4.1), cost from token counts. Seeded, so every run of the
// test sees the same streams (lib/demo/random.ts).

export interface VariantModel {
  latencyScale: number;
  errorRate: number;
  /** Probabilities of ratings 1..5. */
  ratings: readonly number[];
  costScale: number;
}

export const STABLE_MODEL: VariantModel = { latencyScale: 1, errorRate: 0.01, ratings: [0.03, 0.05, 0.1, 0.39, 0.43], costScale: 1 };

export const LATENCY_MEDIAN_MS = 1200;
export const LATENCY_SIGMA = 0.6; // of ln(latency)
export const RATING_SHARE = 0.15;

export interface Outcome {
  canary: boolean;
  isError: boolean;
  latencyMs: number;
  rating: number | null;
  costUsd: number;
}

/** One request's outcome from a variant's model. */
export function draw(random: Random, model: VariantModel, canary: boolean): Outcome {
  const latencyMs = LATENCY_MEDIAN_MS * model.latencyScale * Math.exp(LATENCY_SIGMA * gaussian(random));
  const rating = random() < RATING_SHARE ? drawIndex(random, model.ratings) + 1 : null;
  const tokens = 400 * Math.exp(0.3 * (random() - 0.5));
  return { canary, isError: random() < model.errorRate, latencyMs, rating, costUsd: tokens * 0.000005 * model.costScale };
}

export function record(stats: VariantStats, o: Outcome): void {
  stats.requests++;
  if (o.isError) stats.errors++;
  stats.latencyHist[latencyBucket(o.latencyMs)]++;
  if (o.rating !== null) stats.ratingHist[o.rating - 1]++;
  stats.costSum += o.costUsd;
  stats.costSqSum += o.costUsd * o.costUsd;
  stats.costCount++;
}

export { emptyStats };
