import { beta, drawIndex, gaussian, type Random } from "./random";

// What one simulated LLM request looks like for a variant: the pure half of the traffic
// simulator (lib/demo/simulator.ts), so outcomes and pacing can be tested without a server.
// Latency and token counts are log-normal (LLM latencies have a long right tail), ratings come
// from a distribution over 1..5, and a failed request has no rating, no output tokens and no
// scores. Custom scores (issue 17) are data on the profile, one entry per score key: a boolean's
// rate of true, or a numeric score's beta distribution over its range; each is sent with the
// outcome on some requests and later (through `score()`, as an evaluation model would) on others.

export interface VariantProfile {
  /** Share of requests that fail, 0..1. */
  errorRate: number;
  /** An error's `errorType`, drawn uniformly. */
  errorTypes: readonly string[];
  /** ln(latency) ~ Normal(ln(medianMs), sigma²). */
  latency: { medianMs: number; sigma: number };
  /** Probabilities of the ratings 1..5. */
  ratings: readonly [number, number, number, number, number];
  /** Share of successful requests rated in the outcome report itself (a thumbs-up in the same call). */
  ratingShare: number;
  /** Share of successful requests rated later, through `feedback()`; never the same request as `ratingShare`. */
  lateRatingShare: number;
  /** Median token counts per request; both log-normal with `sigma`. */
  tokens: { input: number; output: number; sigma: number };
  /** USD per million tokens. */
  pricing: { inputPerMTok: number; outputPerMTok: number };
  /** The config's custom scores this variant's answers get (keys as the config defines them). */
  scores?: readonly ScoreProfile[];
}

/** How one custom score of a config turns out for a variant. */
export type ScoreProfile = {
  key: string;
  /** Share of successful requests scored in the outcome report itself (a check the app runs at once). */
  share: number;
  /** Share scored later, through `score()` (an evaluator's verdict); never the same request as `share`. */
  lateShare: number;
} & (
  | { kind: "boolean"; trueRate: number }
  /** Beta-distributed over min..max with this mean and sd (in the score's unit), rounded to 3 decimals. */
  | { kind: "numeric"; min: number; max: number; mean: number; sd: number }
);

export type ScoreValues = Record<string, number | boolean>;

export interface DrawnOutcome {
  isError: boolean;
  errorType: string | null;
  /** Whole milliseconds, at least 1. */
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Rating sent with the outcome. */
  rating: number | null;
  /** Rating sent later through feedback(). */
  lateRating: number | null;
  /** Scores sent with the outcome (null: none). */
  scores: ScoreValues | null;
  /** Scores sent later through score() (null: none). */
  lateScores: ScoreValues | null;
}

/** Why a profile cannot be simulated, or null when it can. */
export function profileProblem(profile: VariantProfile): string | null {
  const share = (name: string, value: number) => (value >= 0 && value <= 1 ? null : `\`${name}\` must be from 0 to 1; it was ${value}`);
  const sum = profile.ratings.reduce((a, b) => a + b, 0);
  return (
    share("errorRate", profile.errorRate) ??
    share("ratingShare", profile.ratingShare) ??
    share("lateRatingShare", profile.lateRatingShare) ??
    (profile.ratingShare + profile.lateRatingShare > 1 ? "`ratingShare` and `lateRatingShare` must add up to at most 1" : null) ??
    (profile.errorRate > 0 && profile.errorTypes.length === 0 ? "`errorTypes` must name at least one type when `errorRate` is above 0" : null) ??
    (profile.ratings.some((p) => p < 0) || Math.abs(sum - 1) > 1e-6 ? `\`ratings\` must be 5 probabilities adding up to 1; they add up to ${sum}` : null) ??
    (profile.latency.medianMs > 0 && profile.latency.sigma >= 0 ? null : "`latency` needs a positive `medianMs` and a non-negative `sigma`") ??
    (profile.tokens.input >= 0 && profile.tokens.output >= 0 && profile.tokens.sigma >= 0 ? null : "`tokens` must not be negative") ??
    scoresProblem(profile.scores ?? [])
  );
}

function scoresProblem(scores: readonly ScoreProfile[]): string | null {
  const keys = new Set<string>();
  for (const score of scores) {
    const name = `scores.${score.key}`;
    if (keys.has(score.key)) return `\`${name}\` is given twice`;
    keys.add(score.key);
    if (!(score.share >= 0 && score.lateShare >= 0 && score.share + score.lateShare <= 1)) {
      return `\`${name}\`: \`share\` and \`lateShare\` must be from 0 to 1 and add up to at most 1`;
    }
    if (score.kind === "boolean") {
      if (!(score.trueRate >= 0 && score.trueRate <= 1)) return `\`${name}.trueRate\` must be from 0 to 1; it was ${score.trueRate}`;
      continue;
    }
    const width = score.max - score.min;
    const [mean, sd] = [(score.mean - score.min) / width, score.sd / width];
    // A beta distribution needs its mean inside the range and its variance below mean × (1 − mean).
    if (!(width > 0 && mean > 0 && mean < 1 && sd > 0 && sd * sd < mean * (1 - mean))) {
      return `\`${name}\` needs min < mean < max and 0 < sd < √((mean − min)(max − mean))`;
    }
  }
  return null;
}

/**
 * One request's outcome. Always takes the same count of numbers from `random` for a profile (10,
 * and 2 per score), so streams stay aligned.
 */
export function drawOutcome(random: Random, profile: VariantProfile): DrawnOutcome {
  const isError = random() < profile.errorRate;
  const errorPick = random();
  const latencyMs = Math.max(1, Math.round(profile.latency.medianMs * Math.exp(profile.latency.sigma * gaussian(random))));
  const inputTokens = Math.max(1, Math.round(profile.tokens.input * Math.exp(profile.tokens.sigma * gaussian(random))));
  const drawnOutput = Math.max(1, Math.round(profile.tokens.output * Math.exp(profile.tokens.sigma * gaussian(random))));
  const rated = random();
  const rating = drawIndex(random, profile.ratings) + 1;
  // A failed call still paid for its prompt; it produced no answer.
  const outputTokens = isError ? 0 : drawnOutput;
  const costUsd = roundUsd((inputTokens * profile.pricing.inputPerMTok + outputTokens * profile.pricing.outputPerMTok) / 1_000_000);
  let scores: ScoreValues | null = null;
  let lateScores: ScoreValues | null = null;
  for (const score of profile.scores ?? []) {
    const value = drawScore(random, score);
    const when = random();
    // An evaluator scores answers: a failed call gave none.
    if (isError) continue;
    if (when < score.share) (scores ??= {})[score.key] = value;
    else if (when < score.share + score.lateShare) (lateScores ??= {})[score.key] = value;
  }
  return {
    isError,
    errorType: isError ? profile.errorTypes[Math.min(profile.errorTypes.length - 1, Math.floor(errorPick * profile.errorTypes.length))] : null,
    latencyMs,
    inputTokens,
    outputTokens,
    costUsd,
    rating: !isError && rated < profile.ratingShare ? rating : null,
    lateRating: !isError && rated >= profile.ratingShare && rated < profile.ratingShare + profile.lateRatingShare ? rating : null,
    scores,
    lateScores,
  };
}

/** One value of a score; takes one number from `random`. */
function drawScore(random: Random, score: ScoreProfile): number | boolean {
  if (score.kind === "boolean") return random() < score.trueRate;
  const width = score.max - score.min;
  const value = score.min + width * beta(random, (score.mean - score.min) / width, score.sd / width);
  return Math.round(value * 1000) / 1000;
}

/** Mean rating of a profile's rating distribution (for descriptions and tests). */
export function meanRating(profile: Pick<VariantProfile, "ratings">): number {
  return profile.ratings.reduce((sum, p, i) => sum + p * (i + 1), 0);
}

/**
 * How many requests are due now at a steady `ratePerSecond`, given how many were already
 * issued since `elapsedMs` ago. Counting from the start (not per tick) keeps the rate exact
 * however late the timer fires; after a long stall it catches up by at most `maxBurst`.
 */
export function requestsDue(ratePerSecond: number, elapsedMs: number, issued: number, maxBurst = Infinity): number {
  if (!(ratePerSecond > 0) || !(elapsedMs > 0)) return 0;
  const due = Math.floor((ratePerSecond * elapsedMs) / 1000) - issued;
  return Math.max(0, Math.min(due, maxBurst));
}

/** `count` distinct user ids that look like a client app's (`u_` and 10 base-36 characters), seeded. */
export function userPool(random: Random, count: number): string[] {
  const ids = new Set<string>();
  while (ids.size < count) {
    let id = "u_";
    for (let i = 0; i < 10; i++) id += Math.floor(random() * 36).toString(36);
    ids.add(id);
  }
  return [...ids];
}

function roundUsd(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}
