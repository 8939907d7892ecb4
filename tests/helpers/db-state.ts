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

/** Bumped by a statement-level trigger on every table after any write: see stateReader. */
const WRITE_MARKER = "test_write_marker";

export interface StateReader {
  (): Promise<DbState>;
  /** How many times every table was read in full (the rest were answered from the last read). */
  readonly fullReads: number;
}

/**
 * Every table's row count and an md5 of its rows (as JSON, sorted), in one statement. Reading
 * them all costs milliseconds per call and the fuzz tests read thousands of times, mostly with
 * nothing written in between; so the reader installs, in the test's own database, a sequence
 * that statement-level triggers bump after any insert, update, delete or truncate, and answers
 * from its last full read while the sequence has not moved (an update of VOLATILE_COLUMNS alone
 * does not move it). A bump happens when the statement
 * runs, before its transaction commits: a full read made while another session's writing
 * transaction is still open (it has an xid) may miss rows that commit later without a new bump,
 * so such a read is not reused.
 */
export async function stateReader(db: Database, tables: string[]): Promise<StateReader> {
  const quoted = (t: string) => `"${t.replace(/"/g, '""')}"`;
  await db.query(`CREATE SEQUENCE IF NOT EXISTS ${WRITE_MARKER}`, []);
  await db.query(`CREATE OR REPLACE FUNCTION ${WRITE_MARKER}_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('${WRITE_MARKER}'); RETURN NULL; END $$`, []);
  const drop = VOLATILE_COLUMNS.map((c) => ` - '${c}'`).join("");
  const volatile = await db.query<{ table_name: string }>(
    "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = ANY($1)",
    [VOLATILE_COLUMNS],
  );
  for (const t of tables) {
    const on = `ON ${quoted(t)}`;
    if (volatile.some((v) => v.table_name === t)) {
      // An update of the volatile columns alone changes nothing the digest sees: no bump.
      await db.query(`CREATE OR REPLACE TRIGGER ${WRITE_MARKER} AFTER INSERT OR DELETE OR TRUNCATE ${on} FOR EACH STATEMENT EXECUTE FUNCTION ${WRITE_MARKER}_bump()`, []);
      await db.query(
        `CREATE OR REPLACE TRIGGER ${WRITE_MARKER}_update AFTER UPDATE ${on} FOR EACH ROW WHEN ((to_jsonb(OLD)${drop}) IS DISTINCT FROM (to_jsonb(NEW)${drop})) EXECUTE FUNCTION ${WRITE_MARKER}_bump()`,
        [],
      );
    } else {
      await db.query(`CREATE OR REPLACE TRIGGER ${WRITE_MARKER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ${on} FOR EACH STATEMENT EXECUTE FUNCTION ${WRITE_MARKER}_bump()`, []);
    }
  }
  const sql = tables
    .map((t) => `SELECT '${t}' AS name, count(*)::int AS rows, md5(coalesce(string_agg(r, ',' ORDER BY r), '')) AS digest FROM (SELECT (to_jsonb(x)${drop})::text AS r FROM ${quoted(t)} x) s`)
    .join(" UNION ALL ");
  const markerSql =
    `SELECT (SELECT last_value::text || ':' || is_called::text FROM ${WRITE_MARKER}) AS marker, ` +
    "EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL) AS writing";
  let last: { marker: string; state: DbState } | null = null;
  let fullReads = 0;
  const read = async (): Promise<DbState> => {
    const [{ marker, writing }] = await db.query<{ marker: string; writing: boolean }>(markerSql, []);
    if (last?.marker === marker) return last.state;
    const rows = await db.query<{ name: string; rows: number; digest: string }>(sql, []);
    fullReads++;
    const state = Object.fromEntries(rows.map((r) => [r.name, { rows: Number(r.rows), digest: r.digest }]));
    last = writing ? null : { marker, state };
    return state;
  };
  return Object.defineProperty(read, "fullReads", { get: () => fullReads }) as StateReader;
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
