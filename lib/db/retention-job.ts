import type { Database } from "./client";
import { runPeriodically } from "../periodic";
import { PARTITIONED } from "./partition-specs";
import { dropPartition, ensurePartitions, forgetPartitions, listDetached, listPartitions, type PartitionInfo } from "./partitions";
import { dropBefore, spanStart, type Retention } from "./retention";

// The retention job: on the one instance holding its lock, every PASS_MS (and at start), it makes
// the partitions of the next days ahead of time, drops the partitions whose end is older than their
// retention setting, and deletes the outcome keys (outcome_keys) of the dropped days. A pass takes
// `now` as an argument, so tests run it with a clock of their own.

const DAY_MS = 86_400_000;
/** Partitions are made this far ahead, so ingest never makes one on the hot path but after a long outage. */
export const AHEAD_DAYS = 3;
const PASS_MS = 10 * 60_000;
/** Keys deleted per statement: each is short, so ingest's key inserts never wait long behind one. */
const KEY_CHUNK = 10_000;

export interface RetentionPass {
  made: string[];
  dropped: string[];
  /** Outcome keys deleted: those of the outcomes in the dropped days. */
  keysDeleted: number;
}

export async function runRetentionPass(db: Database, retention: Retention, now: Date): Promise<RetentionPass> {
  const ahead = PARTITIONED.flatMap((spec) =>
    Array.from({ length: AHEAD_DAYS + 1 }, (_, d) => ({ spec, start: spanStart(new Date(now.getTime() + d * DAY_MS), spec.span) })),
  );
  forgetPartitions(db); // what another instance (or a crash) changed since: read from the catalog
  const made = await ensurePartitions(db, ahead);
  const partitions = await listPartitions(db);
  const dropped: string[] = [];
  for (const spec of PARTITIONED) {
    const cutoff = dropBefore(retention, spec.kept, now).getTime();
    for (const partition of partitions) {
      if (partition.table !== spec.table) continue;
      // A half-detached partition is dropped whatever its range: it no longer belongs to the table.
      if (partition.detachPending || (partition.to !== null && partition.to.getTime() <= cutoff)) {
        await dropPartition(db, partition);
        dropped.push(partition.name);
      }
    }
  }
  for (const name of await listDetached(db)) {
    await db.query(`DROP TABLE "${name}"`, []);
    dropped.push(name);
  }
  const remaining = partitions.filter((p) => p.table === "outcomes" && !dropped.includes(p.name));
  const keysDeleted = await pruneOutcomeKeys(db, keysBefore(remaining, dropBefore(retention, "outcomes", now)));
  return { made, dropped, keysDeleted };
}

/**
 * Keys older than every outcome still stored: before the oldest remaining outcome partition's start
 * (none while the legacy partition, which starts at the beginning of time, remains), and never
 * later than the retention cutoff, before which ingest stores nothing.
 */
function keysBefore(remaining: readonly PartitionInfo[], cutoff: Date): Date | null {
  let before = cutoff.getTime();
  for (const p of remaining) {
    if (p.from === null) return null;
    before = Math.min(before, p.from.getTime());
  }
  return new Date(before);
}

// By the rows' physical addresses, read by the index on `at`: a key row is never updated, so its
// address holds for the statement, and a TID scan reaches the rows without a probe of the primary
// key per row (a chunk took 154-344 ms that way and 32-68 ms this way, on 8 million keys).
const PRUNE_SQL = `
WITH gone AS (DELETE FROM outcome_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM outcome_keys WHERE at < $1 LIMIT ${KEY_CHUNK})) RETURNING 1)
SELECT count(*)::integer AS n FROM gone`;

/** Deletes the keys with `at` before `before`, a chunk per statement. */
async function pruneOutcomeKeys(db: Database, before: Date | null): Promise<number> {
  if (before === null) return 0;
  let total = 0;
  for (;;) {
    const [{ n }] = await db.query<{ n: number }>(PRUNE_SQL, [before], "llm_canary_prune_outcome_keys");
    total += n;
    if (n < KEY_CHUNK) return total;
  }
}

export interface RetentionJob {
  stop(): Promise<void>;
}

export function startRetentionJob(db: Database, retention: Retention, log: (message: string) => void): RetentionJob {
  const lock = db.leaderLock("llm-canary-retention");
  const pass = async () => {
    if (!(await lock.tryAcquire())) return;
    const started = Date.now();
    const result = await runRetentionPass(db, retention, new Date());
    if (result.made.length || result.dropped.length || result.keysDeleted) {
      const parts = [
        result.made.length ? `made ${result.made.join(", ")}` : "",
        result.dropped.length ? `dropped ${result.dropped.join(", ")}` : "",
        result.keysDeleted ? `deleted ${result.keysDeleted} outcome keys` : "",
      ];
      log(`retention: ${parts.filter(Boolean).join("; ")} (${Date.now() - started} ms)`);
    }
  };
  const passes = runPeriodically(pass, PASS_MS, (error) =>
    log(`retention: pass failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); retrying next pass`),
  );
  return {
    async stop() {
      await passes.stop();
      await lock.release();
    },
  };
}
