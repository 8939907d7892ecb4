import { MAX_SCORES_PER_EVENT, SCORE_KEY_PATTERN } from "../limits";
import { isRecord } from "./transport";

// A request's custom scores, checked for shape the way the server checks them (the key pattern,
// a finite number or true/false, at most MAX_SCORES_PER_EVENT), with the server's own limits.
// Whether each key is a score of the config, of that kind and within its range, only the server
// knows (it holds the definitions); it refuses the batch naming `events.N.scores.<key>`.

/** Scores by key: a number for a numeric score, true or false for a boolean one. */
export type Scores = Readonly<Record<string, number | boolean>>;

/** A copy of the scores as sent, or why the server would refuse them. */
export function normalizeScores(scores: unknown): Record<string, number | boolean> | string {
  if (!isRecord(scores)) return '`scores` must be an object like { "groundedness": 0.8, "valid_json": true }';
  const keys = Object.keys(scores);
  if (keys.length > MAX_SCORES_PER_EVENT) return `\`scores\` must hold at most ${MAX_SCORES_PER_EVENT} scores`;
  const copy: Record<string, number | boolean> = {};
  for (const key of keys) {
    if (!SCORE_KEY_PATTERN.test(key)) return `\`scores.${key}\` is not a score key: 1-64 lower-case letters, digits, _ or -, starting with a letter`;
    const value = scores[key];
    if (typeof value !== "boolean" && !(typeof value === "number" && Number.isFinite(value))) {
      return `\`scores.${key}\` must be a finite number or true/false`;
    }
    copy[key] = value;
  }
  return copy;
}
