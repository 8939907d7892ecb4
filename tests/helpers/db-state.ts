import type { Database } from "../../lib/db/client";

// What "the database is unchanged" means in the fuzz tests: every table of the schema — read from
// the catalog, so a table added later is covered without touching the tests — keeps its row count
// and the digest of its rows. A partitioned table is read whole, through its parent: its
// partitions come and go with the days (lib/db/partitions.ts).

/** Columns the product touches in the background, not because of a request: skipped in digests. */
const VOLATILE_COLUMNS = ["last_used_at"]; // api_keys: the client API flushes key usage every 10 s

export interface TableState {
  rows: number;
  digest: string;
}
export type DbState = Record<string, TableState>;

export async function listTables(db: Database): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    "SELECT relname AS table_name FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname",
    [],
  );
  return rows.map((r) => r.table_name);
}

/** One statement reading every table's row count and an md5 of its rows (as JSON, sorted). */
export function stateReader(db: Database, tables: string[]): () => Promise<DbState> {
  const drop = VOLATILE_COLUMNS.map((c) => ` - '${c}'`).join("");
  const sql = tables
    .map(
      (t) =>
        `SELECT '${t}' AS name, count(*)::int AS rows, md5(coalesce(string_agg(r, ',' ORDER BY r), '')) AS digest ` +
        `FROM (SELECT (to_jsonb(x)${drop})::text AS r FROM "${t.replace(/"/g, '""')}" x) s`,
    )
    .join(" UNION ALL ");
  return async () => {
    const rows = await db.query<{ name: string; rows: number; digest: string }>(sql, []);
    return Object.fromEntries(rows.map((r) => [r.name, { rows: Number(r.rows), digest: r.digest }]));
  };
}

/** The tables whose rows differ, e.g. ["configs: 3 → 4 rows", "rollouts: rows changed"]. */
export function changedTables(before: DbState, after: DbState): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.flatMap((name) => {
    const [b, a] = [before[name], after[name]];
    if (!b || !a) return [`${name}: table ${b ? "dropped" : "created"}`];
    if (b.rows !== a.rows) return [`${name}: ${b.rows} → ${a.rows} rows`];
    return b.digest === a.digest ? [] : [`${name}: rows changed`];
  });
}
