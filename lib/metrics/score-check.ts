import type { ErrorDetail } from "../errors";
import type { ScoreSpec } from "../snapshot/snapshot";
import type { ScoresInput } from "./schemas";
import { plainNumber } from "../release/score-words";

// A request's scores against its config's definitions (from the routing snapshot, so no database
// read per batch): each key must be a score of the config, a boolean score takes true or false, a
// numeric one a finite number within its range. Shared by POST /api/metrics and POST /api/scores.

/** A score to store: its key and its value, booleans as 1 and 0 (so a boolean's mean is its rate of true). */
export type ScoreValue = readonly [key: string, value: number];

interface ScoredConfig {
  key: string;
  scores: ReadonlyMap<string, ScoreSpec>;
}

/** At most this many keys are named in "its scores are …". */
const LISTED_KEYS = 10;

function knownKeys(config: ScoredConfig): string {
  const keys = [...config.scores.keys()].sort();
  if (keys.length === 0) return "it defines none";
  const listed = keys.slice(0, LISTED_KEYS).join(", ");
  return `its scores are ${listed}${keys.length > LISTED_KEYS ? ` and ${keys.length - LISTED_KEYS} more` : ""}`;
}

/** A number as a person writes it (0.30000000000000004 is 0.3). */

/** Whether `value` is a value of `spec`: the common case, checked without building any text. */
function fits(spec: ScoreSpec, value: number | boolean): boolean {
  if (spec.kind === "boolean") return typeof value === "boolean";
  return typeof value === "number" && Number.isFinite(value) && (spec.min === null || value >= spec.min) && (spec.max === null || value <= spec.max);
}

/** Why `value` is not a value of `spec` (it does not fit). */
function problemOf(spec: ScoreSpec, value: number | boolean): string {
  if (spec.kind === "boolean") return `must be true or false (a boolean score); it was ${String(value)}`;
  const range = spec.min !== null && spec.max !== null ? ` from ${plainNumber(spec.min)} to ${plainNumber(spec.max)}` : "";
  if (typeof value !== "number") return `must be a number${range} (a numeric score); it was ${String(value)}`;
  if (!Number.isFinite(value)) return `must be a finite number${range}; it was ${String(value)}`;
  return `must be${range}; it was ${String(value)}`;
}

/**
 * The values to store, or every problem, each at `<path>.<key>` (e.g. `events.3.scores.groundedness`).
 */
export function checkScores(config: ScoredConfig, scores: ScoresInput, path: string): { values: ScoreValue[]; problems: ErrorDetail[] } {
  const values: ScoreValue[] = [];
  const problems: ErrorDetail[] = [];
  for (const key in scores) {
    const value = scores[key];
    const spec = config.scores.get(key);
    if (spec && fits(spec, value)) values.push([key, typeof value === "boolean" ? Number(value) : value]);
    else problems.push({ path: `${path}.${key}`, message: spec ? problemOf(spec, value) : `is not a score of config \`${config.key}\` (${knownKeys(config)})` });
  }
  return { values, problems };
}
