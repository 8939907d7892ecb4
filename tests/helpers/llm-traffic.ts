import { emptyStats, type VariantStats } from "../../lib/analysis/variant-stats";
import { latencyBucket } from "../../lib/metrics/latency-buckets";

// Simulated LLM traffic for the judge's tests: latency log-normal (median 1.2 s), 1 % errors,
// ratings on 15 % of requests (mean ~4.1), cost from token counts. Seeded, so every run of the
// test sees the same streams.

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

/** mulberry32: small, fast and good enough for simulation. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Outcome {
  canary: boolean;
  isError: boolean;
  latencyMs: number;
  rating: number | null;
  costUsd: number;
}

/** One request's outcome from a variant's model. */
export function draw(random: () => number, model: VariantModel, canary: boolean): Outcome {
  const gaussian = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
  const latencyMs = LATENCY_MEDIAN_MS * model.latencyScale * Math.exp(LATENCY_SIGMA * gaussian);
  let rating: number | null = null;
  if (random() < RATING_SHARE) {
    let u = random();
    rating = 5;
    for (let r = 0; r < 5; r++) {
      u -= model.ratings[r];
      if (u < 0) {
        rating = r + 1;
        break;
      }
    }
  }
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
