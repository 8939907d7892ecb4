// Limits on what a client may report, shared by the server's schemas (lib/metrics/schemas.ts,
// lib/metrics/attribution.ts) and the SDK (lib/sdk), which checks events before sending them
// because one bad event makes the server refuse the whole batch. No imports: the SDK bundles it.

export const MAX_BATCH_EVENTS = 1000;
/** `input` and `output` samples longer than this are cut (not refused): they are samples. */
export const MAX_SAMPLE_CHARS = 4000;
export const MAX_LATENCY_MS = 3_600_000;
export const MAX_TOKENS = 100_000_000;
export const MAX_COST_USD = 10_000;
export const MAX_REQUEST_ID_CHARS = 200;
export const MAX_VERSION_ID_CHARS = 64;
export const MAX_ERROR_TYPE_CHARS = 100;
export const MAX_COMMENT_CHARS = 2000;
/** `at` may be this far ahead of the server's clock (client clock skew). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/**
 * ... and at most this old, as the SDK checks before sending: the default retention. The server
 * refuses what is older than its own LLM_CANARY_RETENTION_DAYS (lib/db/retention.ts), and the SDK
 * drops the events a refusal names and sends the rest.
 */
export const MAX_AGE_MS = 30 * 24 * 3_600_000;
/** A config key: 1-64 lower-case letters, digits and inner hyphens. */
export const CONFIG_KEY_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** A custom score key: a slug like `groundedness` or `valid_json` (lower case, digits, _ and -). */
export const SCORE_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
/** Scores one outcome event (or one late-score event) may carry. */
export const MAX_SCORES_PER_EVENT = 50;
/** Custom scores one config may define. */
export const MAX_SCORE_DEFINITIONS = 50;
/** Numeric score values and ranges stay within ± this. */
export const MAX_SCORE_MAGNITUDE = 1e9;
