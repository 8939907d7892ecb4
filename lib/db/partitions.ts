import { ServerBusyError } from "../errors";
import type { Database } from "./client";
import { PARTITIONED, type PartitionSpec } from "./partition-specs";
import { spanEnd, spanStart } from "./retention";
import type { Tx } from "./types";

// The partitions of the time-partitioned tables (lib/db/partition-specs.ts): which exist, making
// the missing ones, dropping old ones. A partition is `<table>_p<YYYYMMDD>` (a UTC day) or
// `<table>_p<YYYYMM>` (a UTC month); the migration's `<table>_legacy` holds the rows from before
// partitioning, from the beginning of time to a span's end.
//
// Ingest must never fail for want of a partition: each process remembers the ranges it knows exist
// and makes missing ones before a batch needs them. Making one is serialized across instances by a
// transaction-level advisory lock, and is a CREATE TABLE ... LIKE then ATTACH PARTITION, which
// takes a lock on the parent that writers do not wait for (CREATE TABLE ... PARTITION OF takes one
// they do).

/** A partition's range, in ms since the epoch; -Infinity / Infinity for MINVALUE / MAXVALUE. */
interface Range {
  from: number;
  to: number;
}

export interface PartitionInfo {
  table: string;
  name: string;
  from: Date | null;
  to: Date | null;
  /** A DETACH ... CONCURRENTLY that did not finish: FINALIZE completes it. */
  detachPending: boolean;
}

const LOCK = "llm-canary-partitions";

// The bounds as timestamptz values: the expression's literals carry their offset, so the cast
// reads them right whatever the session's time zone. MINVALUE / MAXVALUE match nothing: null.
const LIST_SQL = `
SELECT p.relname AS table, c.relname AS name, i.inhdetachpending AS "detachPending",
  (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']*)''\\)'))[1]::timestamptz AS from,
  (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']*)''\\)'))[1]::timestamptz AS to
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
WHERE p.relname = ANY($1::text[]) AND p.relnamespace = current_schema()::regnamespace
ORDER BY p.relname, 4 NULLS FIRST`;

export function listPartitions(db: Database): Promise<PartitionInfo[]> {
  return db.query<PartitionInfo>(LIST_SQL, [PARTITIONED.map((spec) => spec.table)]);
}

/** What this process knows exists, per database (tests open several in one process). */
const known = new WeakMap<Database, Map<string, Range[]>>();

function remember(db: Database, partitions: readonly PartitionInfo[]): Map<string, Range[]> {
  const byTable = new Map<string, Range[]>(PARTITIONED.map((spec) => [spec.table, []]));
  for (const p of partitions) byTable.get(p.table)?.push({ from: p.from?.getTime() ?? -Infinity, to: p.to?.getTime() ?? Infinity });
  known.set(db, byTable);
  return byTable;
}

/** Forgets what this process knew: the next batch reads the catalog again (after a partition vanished under it). */
export function forgetPartitions(db: Database): void {
  known.delete(db);
}

const covered = (ranges: readonly Range[] | undefined, start: Date) => ranges?.some((r) => r.from <= start.getTime() && start.getTime() < r.to) ?? false;

export function partitionName(table: string, start: Date, span: PartitionSpec["span"]): string {
  return `${table}_p${start.toISOString().slice(0, span === "day" ? 10 : 7).replace(/-/g, "")}`;
}

/** A partition to have: the span of `spec` starting at `start`. */
export interface Wanted {
  spec: PartitionSpec;
  start: Date;
}

/**
 * The partitions holding these times, for every table (or those `wanted` says), made where missing.
 * Answers at once when this process knows they exist, which is every batch but the first of a day.
 */
export async function ensurePartitionsAt(
  db: Database,
  times: readonly Date[],
  wanted: (spec: PartitionSpec, time: Date) => boolean = () => true,
): Promise<string[]> {
  const needed: Wanted[] = [];
  for (const spec of PARTITIONED) {
    for (const time of times) if (wanted(spec, time)) needed.push({ spec, start: spanStart(time, spec.span) });
  }
  return ensurePartitions(db, needed);
}

/** Makes the partitions not yet there; returns the names of those it made. */
export async function ensurePartitions(db: Database, needed: readonly Wanted[]): Promise<string[]> {
  const missingIn = (byTable: Map<string, Range[]>) => needed.filter((w) => !covered(byTable.get(w.spec.table), w.start));
  const cached = known.get(db);
  if (cached && missingIn(cached).length === 0) return [];
  // Perhaps made by another instance, or before this process started: read the catalog first.
  if (missingIn(remember(db, await listPartitions(db))).length === 0) return [];
  const make = async (tx: Tx): Promise<string[]> => {
    // ATTACH waits only for what holds the table exclusively, or for a retention pass detaching
    // one of its partitions: rare and short, but bounded, and then the batch is answered 503.
    await tx.$executeRawUnsafe("SET LOCAL lock_timeout = '10s'");
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('${LOCK}'))`);
    const current = remember(db, await tx.$queryRawUnsafe<PartitionInfo[]>(LIST_SQL, PARTITIONED.map((spec) => spec.table)));
    const names: string[] = [];
    for (const { spec, start } of missingIn(current)) {
      const name = partitionName(spec.table, start, spec.span);
      if (names.includes(name)) continue;
      const to = spanEnd(start, spec.span);
      // A table of that name not attached can only be one a crash left detached (dropPartition): it goes.
      await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS "${name}"`);
      await tx.$executeRawUnsafe(`CREATE TABLE "${name}" (LIKE "${spec.table}" INCLUDING DEFAULTS)`);
      const range = `FROM ('${start.toISOString()}') TO ('${to.toISOString()}')`;
      await tx.$executeRawUnsafe(`ALTER TABLE "${spec.table}" ATTACH PARTITION "${name}" FOR VALUES ${range}`);
      current.get(spec.table)!.push({ from: start.getTime(), to: to.getTime() });
      names.push(name);
    }
    return names;
  };
  try {
    return await db.prisma.$transaction(make, { timeout: 60_000 });
  } catch (error) {
    forgetPartitions(db); // it remembered what the failed transaction made
    if (codeOf(error) === "55P03") throw new ServerBusyError(5);
    throw error;
  }
}

/**
 * Tables named as partitions of ours that belong to no table: left by a crash between detaching a
 * partition and dropping it (dropPartition).
 */
export async function listDetached(db: Database): Promise<string[]> {
  const names = PARTITIONED.map((spec) => spec.table).join("|");
  const rows = await db.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class
     WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND NOT relispartition AND relname ~ $1`,
    [`^(${names})_(p[0-9]{6}([0-9]{2})?|legacy)$`],
  );
  return rows.map((r) => r.name);
}

/**
 * Detaches a partition without making writers wait (DETACH ... CONCURRENTLY, outside any
 * transaction) and drops it. One that an earlier attempt left half-detached is finished first.
 */
export async function dropPartition(db: Database, partition: PartitionInfo): Promise<void> {
  const how = partition.detachPending ? "FINALIZE" : "CONCURRENTLY";
  await db.query(`ALTER TABLE "${partition.table}" DETACH PARTITION "${partition.name}" ${how}`, []);
  await db.query(`DROP TABLE "${partition.name}"`, []);
  const ranges = known.get(db)?.get(partition.table);
  const from = partition.from?.getTime() ?? -Infinity;
  if (ranges) ranges.splice(0, ranges.length, ...ranges.filter((r) => r.from !== from));
}

type DriverError = { code?: unknown; message?: unknown; cause?: { originalCode?: unknown; originalMessage?: unknown } };

/** The SQLSTATE of an error from pg or from Prisma's driver adapter. */
function codeOf(error: unknown): string | null {
  if (typeof error !== "object" || error === null) return null;
  const e = error as DriverError;
  return String(e.cause?.originalCode ?? e.code);
}

/** Whether an insert failed because no partition holds one of its rows (one dropped under a stale cache). */
export function isMissingPartition(error: unknown): boolean {
  const e = error as DriverError;
  return codeOf(error) === "23514" && /no partition of relation/.test(String(e.message ?? e.cause?.originalMessage));
}
