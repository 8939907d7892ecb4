import pg from "pg";
import { LATENCY_BUCKETS, latencyBucket } from "../../../lib/metrics/latency-buckets";

// The per-minute and per-hour rollups against a recomputation from the raw outcomes: the sums
// and counts in SQL, the histograms in JS from the raw ratings and latencies (so the product's
// SQL histogram helpers are not checked against themselves), every row compared both ways.
// Integers must be equal; float sums (cost, cost²) may differ only by summation order, to a
// relative 1e-9. A rollup row's key is (rollout, version, minute|hour) without the variant: its
// `variant` must be one its outcomes carry. Outside a rollout the variant says whether the
// version was the config's stable one when the outcome arrived, so a promotion or a revert
// within the minute leaves outcomes of both variants under one row; those rows are counted.

const INTEGER_FIELDS = ["count", "errors", "rating_count", "rating_sum", "latency_sum_ms", "input_tokens", "output_tokens", "token_count", "cost_count"] as const;
const FLOAT_FIELDS = ["cost_usd", "cost_sq_sum"] as const;
const RELATIVE_TOLERANCE = 1e-9;

interface RollupRow {
  config_id: string;
  version_id: string;
  rollout_id: string | null;
  /** Stored rows: the row's variant. */
  variant?: string;
  /** Recomputed rows: the variants of its outcomes. */
  variants?: string[];
  t: Date;
  rating_hist: number[];
  latency_hist: number[];
  [field: string]: unknown;
}

export interface RollupComparison {
  unit: "minute" | "hour";
  storedRows: number;
  recomputedRows: number;
  /** Rows missing on either side or differing in any field. */
  mismatches: string[];
  /** Rows whose outcomes carry both variants (outside a rollout, across a promotion or revert). */
  mixedVariants: string[];
}

const recomputeSql = (unit: "minute" | "hour") => `
  SELECT config_id, version_id, rollout_id, date_trunc('${unit}', at, 'UTC') AS t,
    array_agg(DISTINCT variant::text) AS variants,
    count(*)::int AS count,
    (count(*) FILTER (WHERE is_error))::int AS errors,
    count(rating)::int AS rating_count,
    coalesce(sum(rating), 0)::int AS rating_sum,
    sum(latency_ms)::bigint AS latency_sum_ms,
    coalesce(sum(input_tokens), 0)::bigint AS input_tokens,
    coalesce(sum(output_tokens), 0)::bigint AS output_tokens,
    (count(*) FILTER (WHERE input_tokens IS NOT NULL OR output_tokens IS NOT NULL))::int AS token_count,
    coalesce(sum(cost_usd), 0)::float8 AS cost_usd,
    coalesce(sum(cost_usd * cost_usd), 0)::float8 AS cost_sq_sum,
    count(cost_usd)::int AS cost_count,
    coalesce(array_agg(rating::int) FILTER (WHERE rating IS NOT NULL), '{}') AS ratings,
    array_agg(latency_ms) AS latencies
  FROM outcomes GROUP BY 1, 2, 3, 4`;

const storedSql = (unit: "minute" | "hour", table: string) => `
  SELECT config_id, version_id, rollout_id, variant::text AS variant, ${unit} AS t, ${[...INTEGER_FIELDS, ...FLOAT_FIELDS].join(", ")},
    rating_hist, latency_hist
  FROM ${table}`;

const keyOf = (r: { rollout_id: string | null; version_id: string; t: Date }) => `${r.rollout_id ?? "-"}|${r.version_id}|${r.t.toISOString()}`;

function histogram(values: readonly number[], size: number, bucketOf: (v: number) => number): number[] {
  const hist = new Array<number>(size).fill(0);
  for (const v of values) hist[bucketOf(v)]++;
  return hist;
}

function padded(hist: readonly number[] | null, size: number): number[] {
  return Array.from({ length: size }, (_, i) => hist?.[i] ?? 0);
}

function floatsAgree(a: number, b: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

function differences(stored: RollupRow, recomputed: RollupRow): string[] {
  const out: string[] = [];
  if (stored.config_id !== recomputed.config_id) out.push(`config_id ${stored.config_id} ≠ ${recomputed.config_id}`);
  if (!recomputed.variants!.includes(stored.variant!)) out.push(`variant ${stored.variant} is none of its outcomes' (${recomputed.variants!.join(", ")})`);
  for (const field of INTEGER_FIELDS) {
    if (BigInt(stored[field] as string | number) !== BigInt(recomputed[field] as string | number)) out.push(`${field} ${stored[field]} ≠ ${recomputed[field]}`);
  }
  for (const field of FLOAT_FIELDS) if (!floatsAgree(stored[field] as number, recomputed[field] as number)) out.push(`${field} ${stored[field]} ≠ ${recomputed[field]}`);
  for (const [field, size] of [["rating_hist", 5], ["latency_hist", LATENCY_BUCKETS]] as const) {
    const a = padded(stored[field], size).join(",");
    const b = padded(recomputed[field], size).join(",");
    if (a !== b) out.push(`${field} [${a}] ≠ [${b}]`);
  }
  return out;
}

async function compare(db: pg.Client, unit: "minute" | "hour", table: string): Promise<RollupComparison> {
  const recomputed = new Map<string, RollupRow>();
  for (const row of (await db.query(recomputeSql(unit))).rows) {
    row.rating_hist = histogram(row.ratings, 5, (r) => r - 1);
    row.latency_hist = histogram(row.latencies, LATENCY_BUCKETS, latencyBucket);
    recomputed.set(keyOf(row), row);
  }
  const stored = new Map<string, RollupRow>();
  const mismatches: string[] = [];
  const mixedVariants = [...recomputed].filter(([, row]) => row.variants!.length > 1).map(([key, row]) => `${table} ${key} (${row.count} outcomes)`);
  for (const row of (await db.query(storedSql(unit, table))).rows as RollupRow[]) {
    const key = keyOf(row);
    if (stored.has(key)) mismatches.push(`${table} ${key}: two rows for one key`);
    stored.set(key, row);
  }
  for (const [key, row] of stored) {
    const expected = recomputed.get(key);
    if (!expected) mismatches.push(`${table} ${key}: a rollup row without any outcome (count ${row.count})`);
    else {
      const diff = differences(row, expected);
      if (diff.length) mismatches.push(`${table} ${key}: ${diff.join("; ")}`);
    }
  }
  for (const [key, row] of recomputed) if (!stored.has(key)) mismatches.push(`${table} ${key}: no rollup row for ${row.count} outcome(s)`);
  return { unit, storedRows: stored.size, recomputedRows: recomputed.size, mismatches, mixedVariants };
}

/** A comparison as a check's detail: the rows on each side and the first few differences. */
export function describeComparison(cmp: RollupComparison): string {
  const { mismatches } = cmp;
  const first = mismatches.slice(0, 3).map((m) => m.slice(0, 400));
  return `${cmp.storedRows} stored rows vs ${cmp.recomputedRows} recomputed; ${mismatches.length} differ${first.length ? `: ${first.join(" | ")}` : ""}`;
}

export interface StoreCheck {
  outcomes: number;
  /** Outcomes whose stored latency bucket is not latencyBucket(latency_ms). */
  badBuckets: number;
  minute: RollupComparison;
  hour: RollupComparison;
}

export async function checkStoredOutcomes(databaseUrl: string): Promise<StoreCheck> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const outcomes = Number((await db.query("SELECT count(*) AS n FROM outcomes")).rows[0].n);
    const pairs = (await db.query("SELECT DISTINCT latency_ms, latency_bucket FROM outcomes")).rows as { latency_ms: number; latency_bucket: number }[];
    const badBuckets = pairs.filter((p) => latencyBucket(p.latency_ms) !== p.latency_bucket).length;
    return { outcomes, badBuckets, minute: await compare(db, "minute", "metric_rollups"), hour: await compare(db, "hour", "metric_rollups_hourly") };
  } finally {
    await db.end();
  }
}

/** Outcomes rated later through /api/feedback (rated after they were stored), and ratings replaced. */
export async function countLateRatings(databaseUrl: string): Promise<{ late: number; replaced: number }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const row = (
      await db.query(
        `SELECT (count(*) FILTER (WHERE rating IS NOT NULL AND rated_at > received_at))::int AS late,
                (count(*) FILTER (WHERE jsonb_array_length(rating_history) > 0))::int AS replaced FROM outcomes`,
      )
    ).rows[0];
    return { late: row.late, replaced: row.replaced };
  } finally {
    await db.end();
  }
}
