// bench:scale's history as SQL expressions, shared by the statements that write configs, versions
// and rollouts (scale-history.ts) and those that write outcomes (scale-outcomes.ts), so an outcome
// names the version and rollout that served it at its time. Everything is a function of a config's
// number, a rollout's or version's number and the generation time T (the statements' $1): ids,
// times, which rollout ran when. No randomness: two runs of one size write the same rows.
//
// Each config has VERSIONS versions and ROLLOUTS rollouts, all ended (promoted). Rollout r (0-based)
// compared version 79 + r (its base, stable then) with version 80 + r (its canary), so the stable
// version now is the last, 99. The latest rollout ran 14 days and ended 2 hours before T; the
// others ran 3 days each, one a week, the newest ending a day before the latest began. Each config's
// history is shifted back by OFFSET_SQL (0 to 7 days; none for config 0, the report's) so rollouts
// do not all start at once. Stages: 10 %, 50 %, 100 %.

export const CONFIGS = 5_000;
export const VERSIONS = 100;
export const ROLLOUTS = 20;
export const API_KEYS = 10_000;
export const DAYS = 30;
/** The configs with most of the traffic: config 0 … BUSY - 1 share BUSY_SHARE of the outcomes, the rest the remainder. */
export const BUSY = 100;
export const BUSY_SHARE = 0.95;

const HOUR = 3_600;
const DAY = 24 * HOUR;
/** The latest rollout ended this long before T (plus the config's offset) and ran LATEST_DAYS. */
const LATEST_END = 2 * HOUR;
export const LATEST_DAYS = 14;
/** The earlier rollouts: one every WEEK, each running EARLIER_DAYS; the newest ended a day before the latest began. */
const EARLIER_DAYS = 3;
const WEEK = 7 * DAY;
/** Where the earlier rollouts' windows begin, counted back from T: the newest one's end. */
const EARLIER_END = LATEST_END + (LATEST_DAYS + 1) * DAY;
export const STAGE_PERCENTS = [10, 50, 100] as const;

export const configIdSql = (c: string) => `'cfg_' || lpad((${c})::text, 16, '0')`;
export const configKeySql = (c: string) => `'scale-' || lpad((${c})::text, 4, '0')`;
export const versionIdSql = (c: string, v: string) => `'ver_' || lpad((${c})::text, 7, '0') || 'v' || lpad((${v})::text, 8, '0')`;
export const rolloutIdSql = (c: string, r: string) => `'ro_' || lpad((${c})::text, 7, '0') || 'r' || lpad((${r})::text, 8, '0')`;

/** The config's key as the app names it (configKeySql), for the bench's own requests. */
export const configKey = (c: number) => `scale-${String(c).padStart(4, "0")}`;
export const versionId = (c: number, v: number) => `ver_${String(c).padStart(7, "0")}v${String(v).padStart(8, "0")}`;
export const rolloutId = (c: number, r: number) => `ro_${String(c).padStart(7, "0")}r${String(r).padStart(8, "0")}`;

/** How far config c's history is shifted back, in seconds. */
export const offsetSql = (c: string) => `(CASE WHEN (${c}) = 0 THEN 0 ELSE ((${c}) * 7919) % 168 END) * ${HOUR}`;

/** Seconds before T at which rollout r of config c began. */
export const rolloutStartAgoSql = (c: string, r: string) =>
  `(${offsetSql(c)} + CASE WHEN (${r}) = ${ROLLOUTS - 1} THEN ${LATEST_END + LATEST_DAYS * DAY} ELSE ${EARLIER_END + EARLIER_DAYS * DAY} + (${ROLLOUTS - 2} - (${r})) * ${WEEK} END)`;

/** Seconds rollout r ran. */
export const rolloutLengthSql = (r: string) => `CASE WHEN (${r}) = ${ROLLOUTS - 1} THEN ${LATEST_DAYS * DAY} ELSE ${EARLIER_DAYS * DAY} END`;

/** Seconds after its start at which rollout r's stage s (1 or 2) began. */
export const stageStartSql = (r: string, s: 1 | 2) => `CASE WHEN (${r}) = ${ROLLOUTS - 1} THEN ${s === 1 ? 4 * DAY : 9 * DAY} ELSE ${s * DAY} END`;

/**
 * For an outcome `age` seconds before T (already less the config's offset): `r`, the rollout it
 * ran in (NULL: none), `stable` the stable (or base) version then, `stage` the rollout's stage.
 * The columns of a LATERAL subquery.
 */
export function timelineSql(age: string): string {
  const since = `(${age} - ${EARLIER_END})`;
  const k = `floor(${since} / ${WEEK})::int`;
  const inWeek = `(${since} - floor(${since} / ${WEEK}) * ${WEEK})`;
  const latestStart = LATEST_END + LATEST_DAYS * DAY;
  return `SELECT
    CASE WHEN ${age} < ${LATEST_END} THEN NULL WHEN ${age} < ${latestStart} THEN ${ROLLOUTS - 1}
      WHEN ${age} < ${EARLIER_END} THEN NULL WHEN ${inWeek} < ${EARLIER_DAYS * DAY} THEN ${ROLLOUTS - 2} - ${k} END AS r,
    CASE WHEN ${age} < ${LATEST_END} THEN ${VERSIONS - 1} WHEN ${age} < ${EARLIER_END} THEN ${VERSIONS - 2} ELSE ${VERSIONS - 3} - ${k} END AS stable,
    CASE WHEN ${age} < ${LATEST_END} THEN NULL
      WHEN ${age} < ${latestStart} THEN CASE WHEN ${latestStart} - ${age} < ${4 * DAY} THEN 0 WHEN ${latestStart} - ${age} < ${9 * DAY} THEN 1 ELSE 2 END
      WHEN ${age} < ${EARLIER_END} THEN NULL ELSE least(2, floor((${EARLIER_DAYS * DAY} - ${inWeek}) / ${DAY})::int) END AS stage`;
}

/** The stages a rollout was started with (its JSON), the latest being longer. */
export function stagesJson(latest: boolean): string {
  const days = latest ? [4, 5, 5] : [1, 1, 1];
  const samples = latest ? [1_000, 5_000, 10_000] : [100, 500, 1_000];
  return JSON.stringify(STAGE_PERCENTS.map((percent, i) => ({ percent, minDurationSec: days[i] * DAY, minSamples: samples[i] })));
}
