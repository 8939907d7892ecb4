// bench:scale's outcomes: `count` outcomes evenly over the DAYS days before T, each with its key in
// outcome_keys, and the rollups they imply — minute rollups for the days ingest still writes
// minutes for (lib/db/retention.ts minutesKeptFrom), hour rollups for all — summed from the stored
// outcomes as the ingest statement sums them (lib/metrics/ingest-repo.ts), so reports read the
// same figures a scan of the outcomes gives. Samples are off (no input or output text), as the
// generated configs' sample policy says.
//
// Set-based and by day: each day's outcome partition (and minute-rollup partition) is filled as a
// table of its own, given the parent's indexes, then attached, which is what the app's own
// partitions look like (lib/db/partitions.ts) but indexed once in bulk instead of row by row; two
// days at a time, on two connections. outcome_keys, one table across all days, is loaded without
// its two indexes and indexed at the end.
import pg from "pg";
import type { Database } from "../../lib/db/client";
import { ensurePartitionsAt, partitionName } from "../../lib/db/partitions";
import { minutesKeptFrom, spanEnd, spanStart, type Retention } from "../../lib/db/retention";
import { LATENCY_BUCKETS, latencyBucket } from "../../lib/metrics/latency-buckets";
import { utcStartSql } from "../../lib/metrics/rollup-time";
import { BUSY, BUSY_SHARE, CONFIGS, DAYS, STAGE_PERCENTS, VERSIONS, ROLLOUTS, configIdSql, offsetSql, rolloutIdSql, timelineSql, versionIdSql } from "./scale-timeline";

const DAY_MS = 86_400_000;
const WORKERS = 2;
/** Latencies are 300 ms × e^(2.5u) for u in [0, 1): 300-3,654 ms, log-uniform. Their buckets come from the app's own function. */
const MAX_LATENCY = 3_700;

const OUTCOME_COLUMNS = `id, config_id, request_id, version_id, rollout_id, variant, is_error, error_type, latency_ms, latency_bucket,
  input_tokens, output_tokens, cost_usd, rating, rated_at, at, received_at`;

// $1 T, $2 seconds between outcomes, $3-$4 the outcome numbers that may fall in the day, $5-$6 the
// day, $7 each latency's bucket. Outcome g is at T - DAYS + (g - ½) × $2, of a busy config with
// probability BUSY_SHARE; a request id is a UUID; ~1 % errors, ratings on ~15 %; tokens and the
// cost they imply at gpt-4o's prices. In a rollout, the canary's share is its stage's percent.
// Each step is a subquery of its own (OFFSET 0 keeps PostgreSQL from inlining it), so a value used
// many times below, like the age the timeline reads a dozen times, is computed once per row.
const OUTCOMES_SQL = `
SELECT g, ${configIdSql("c")}, md5(g::text)::uuid::text,
  ${versionIdSql("c", `CASE WHEN canary THEN r + ${VERSIONS - ROLLOUTS} ELSE stable END`)},
  CASE WHEN r IS NOT NULL THEN ${rolloutIdSql("c", "r")} END,
  (CASE WHEN canary THEN 'canary' ELSE 'stable' END)::"Variant",
  is_error, CASE WHEN is_error THEN 'provider_error' END, ms, ($7::smallint[])[ms + 1],
  300 + (g % 200)::int, 120 + (g % 80)::int, ((300 + g % 200) * 2.5 + (120 + g % 80) * 10)::float8 / 1e6,
  rating, CASE WHEN rating IS NOT NULL THEN at END, at, at
FROM (
  SELECT *, r IS NOT NULL AND (g * 40503) % 100 < (ARRAY[${STAGE_PERCENTS.join(", ")}])[stage + 1] AS canary,
    (h / 7) % 101 = 7 AS is_error, (300 * exp(2.5 * ((g * 69069) % 65536)::float8 / 65536))::int AS ms,
    CASE WHEN (h / 13) % 100 < 15 THEN (1 + (h / 1300) % 5)::smallint END AS rating
  FROM (
    SELECT s3.*, t.* FROM (
      SELECT g, h, c, date_trunc('milliseconds', $1::timestamptz - interval '${DAYS} days' + make_interval(secs => (g::float8 - 0.5) * $2::float8)) AS at,
        ${DAYS * 86_400} - (g::float8 - 0.5) * $2::float8 - ${offsetSql("c")} AS age
      FROM (
        SELECT g, h, CASE WHEN h % 1000 < ${Math.round(BUSY_SHARE * 1000)} THEN (h / 1000) % ${BUSY} ELSE ${BUSY} + (h / 1000) % ${CONFIGS - BUSY} END AS c
        FROM (SELECT g, (g * 2654435761) % 4294967296 AS h FROM generate_series($3::bigint, $4::bigint) g OFFSET 0) s1 OFFSET 0
      ) s2 OFFSET 0
    ) s3, LATERAL (${timelineSql("s3.age")}) t
    WHERE at >= $5 AND at < $6 OFFSET 0
  ) s4 OFFSET 0
) s5`;

const ROLLUP_COLUMNS = `config_id, version_id, rollout_id, variant, %UNIT%, count, errors, rating_count, rating_sum, latency_sum_ms, input_tokens,
  output_tokens, token_count, cost_usd, cost_sq_sum, cost_count, rating_hist, latency_hist`;

/** A day's rollups of one resolution, as ingest sums them (lib/metrics/ingest-repo.ts BY_MINUTE). */
function rollupSql(table: string, unit: "minute" | "hour", from: string): string {
  return `INSERT INTO "${table}" (${ROLLUP_COLUMNS.replace("%UNIT%", unit)})
  SELECT config_id, version_id, rollout_id, variant, ${utcStartSql(unit, "at")}, count(*)::integer, (count(*) FILTER (WHERE is_error))::integer,
    count(rating)::integer, coalesce(sum(rating), 0)::integer, sum(latency_ms)::bigint, coalesce(sum(input_tokens), 0)::bigint,
    coalesce(sum(output_tokens), 0)::bigint, (count(*) FILTER (WHERE input_tokens IS NOT NULL OR output_tokens IS NOT NULL))::integer,
    coalesce(sum(cost_usd), 0)::double precision, coalesce(sum(cost_usd * cost_usd), 0)::double precision, count(cost_usd)::integer,
    llm_canary_hist_of(coalesce(array_agg(rating - 1) FILTER (WHERE rating IS NOT NULL), '{}'), 5),
    llm_canary_hist_of(array_agg(latency_bucket::integer), ${LATENCY_BUCKETS})
  FROM "${from}" GROUP BY 1, 2, 3, 4, 5`;
}

/** Gives `child` (a table LIKE `parent`) each index of `parent`, so attaching it builds none. */
async function indexLike(client: pg.Client, parent: string, child: string): Promise<void> {
  const { rows } = await client.query<{ def: string; constraint: string | null }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS def, pg_get_constraintdef(c.oid) AS constraint
     FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid WHERE i.indrelid = $1::regclass`,
    [parent],
  );
  for (const { def, constraint } of rows) {
    // A primary key must be a constraint on the partition too, named as PostgreSQL names the one it makes.
    if (constraint) await client.query(`ALTER TABLE "${child}" ADD CONSTRAINT "${child}_pkey" ${constraint}`);
    else await client.query(def.replace(/INDEX \S+ ON ONLY \S+/, `INDEX ON "${child}"`));
  }
}

/** Fills `name` (a new table LIKE `parent`) with `fill`, indexes it, attaches it for the day from `start`. */
async function attachDay(client: pg.Client, parent: string, name: string, start: Date, fill: (name: string) => Promise<unknown>): Promise<void> {
  await client.query(`CREATE TABLE "${name}" (LIKE "${parent}" INCLUDING DEFAULTS)`);
  await fill(name);
  await indexLike(client, parent, name);
  const end = spanEnd(start, "day");
  await client.query(`ALTER TABLE "${parent}" ATTACH PARTITION "${name}" FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`);
}

export interface OutcomeTimings {
  phases: Map<string, number>;
  minuteRollups: number;
  hourRollups: number;
}

/** Writes `count` outcomes before `now` and their rollups; answers seconds spent per phase (summed over both connections) and rollup rows. */
export async function writeOutcomes(url: string, db: Database, now: Date, count: number, retention: Retention): Promise<OutcomeTimings> {
  const from = new Date(now.getTime() - DAYS * DAY_MS);
  const days: Date[] = [];
  for (let day = spanStart(from, "day"); day < now; day = spanEnd(day, "day")) days.push(day);
  const minutesFrom = minutesKeptFrom(retention, now);
  // The partitions of the other tables, empty, as the app would have made them (minute ones only for days whose minutes are kept).
  await ensurePartitionsAt(db, days, (spec, day) => !["outcomes", "metric_rollups"].includes(spec.table) && (spec.kept !== "minutes" || day >= minutesFrom));
  const phases = new Map<string, number>();
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      phases.set(phase, (phases.get(phase) ?? 0) + (performance.now() - started) / 1000);
    }
  };
  const step = (DAYS * 86_400) / count;
  const buckets = `{${Array.from({ length: MAX_LATENCY + 1 }, (_, ms) => latencyBucket(ms)).join(",")}}`;
  const connect = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("SET synchronous_commit = off; SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'");
    return client;
  };
  const admin = await connect();
  try {
    // Made again as the migrations define them (read from the catalog), after the rows are in.
    const { rows: keyDefinitions } = await admin.query<{ key: string; at: string }>(
      `SELECT pg_get_constraintdef(c.oid) AS key, pg_get_indexdef('outcome_keys_at_idx'::regclass) AS at FROM pg_constraint c WHERE c.conname = 'outcome_keys_pkey'`,
    );
    const [{ key: keyDefinition, at: atIndex }] = keyDefinitions;
    await timed("drop outcome_keys indexes", () => admin.query(`ALTER TABLE outcome_keys DROP CONSTRAINT outcome_keys_pkey; DROP INDEX outcome_keys_at_idx`));
    let next = 0;
    const worker = async () => {
      const client = await connect();
      try {
        for (let i = next++; i < days.length; i = next++) {
          const day = days[i];
          const end = spanEnd(day, "day");
          const first = Math.max(1, Math.floor((day.getTime() - from.getTime()) / 1000 / step) - 1);
          const last = Math.min(count, Math.ceil((end.getTime() - from.getTime()) / 1000 / step) + 2);
          const outcomes = partitionName("outcomes", day, "day");
          await timed("outcomes (generate, index, attach)", () =>
            attachDay(client, "outcomes", outcomes, day, (name) =>
              client.query(`INSERT INTO "${name}" (${OUTCOME_COLUMNS}) ${OUTCOMES_SQL}`, [now, step, first, last, day, end, buckets]),
            ),
          );
          await timed("outcome_keys rows", () => client.query(`INSERT INTO outcome_keys (config_id, request_id, at, outcome_id) SELECT config_id, request_id, at, id FROM "${outcomes}"`));
          if (day >= minutesFrom) {
            await timed("minute rollups", () =>
              attachDay(client, "metric_rollups", partitionName("metric_rollups", day, "day"), day, (name) => client.query(rollupSql(name, "minute", outcomes))),
            );
          }
          await timed("hour rollups", () => client.query(rollupSql("metric_rollups_hourly", "hour", outcomes)));
        }
      } finally {
        await client.end();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    // The two indexes of outcome_keys at once, on two connections.
    const other = await connect();
    try {
      await timed("outcome_keys indexes", () =>
        Promise.all([
          admin.query(`ALTER TABLE outcome_keys ADD CONSTRAINT outcome_keys_pkey ${keyDefinition}`),
          other.query(atIndex),
        ]),
      );
    } finally {
      await other.end();
    }
    await admin.query(`SELECT setval('outcomes_id_seq', $1)`, [count]);
    // Autovacuum may be off (it is on the bench machine): the planner needs the tables' statistics.
    await timed("analyze", () => admin.query("ANALYZE"));
    const rows = async (table: string) => Number((await admin.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    return { phases, minuteRollups: await rows("metric_rollups"), hourRollups: await rows("metric_rollups_hourly") };
  } finally {
    await admin.end();
  }
}
