import { CONFIG_KEY_PATTERN } from "../limits";
import { requestIdProblem } from "./outcome-event";
import { normalizeScores, type Scores } from "./scores";

// Late scores (POST /api/scores): scores that arrive after their outcome was reported, such as an
// evaluation model's verdict or a user's thumbs-down.

/** A late score as sent to POST /api/scores. */
export interface WireScoreEvent {
  requestId: string;
  config?: string;
  scores: Record<string, number | boolean>;
}

/** The event as sent, or why the server would refuse it. */
export function normalizeScoreEvent(requestId: string, scores: Scores, config: string | undefined): WireScoreEvent | string {
  const badRequestId = requestIdProblem(requestId);
  if (badRequestId) return badRequestId;
  if (config !== undefined && (typeof config !== "string" || !CONFIG_KEY_PATTERN.test(config))) return "`config` must be a config key like support-chat";
  const normalized = normalizeScores(scores);
  if (typeof normalized === "string") return normalized;
  if (Object.keys(normalized).length === 0) return "`scores` must hold at least 1 score";
  return { requestId, ...(config === undefined ? {} : { config }), scores: normalized };
}
