import type { Db } from "../db/types";
import { SnapshotBuilder } from "./build";
import type { PastSource } from "./past";
import { loadSnapshotRows, type ReloadScope } from "./repo";
import type { Snapshot } from "./snapshot";

// One load of the routing snapshot: its rows read (lib/snapshot/repo.ts) and built into entries
// (lib/snapshot/build.ts) chunk by chunk, so a full load never holds every row at once.

/**
 * The snapshot with `scope` (null: everything) loaded into `previous` (null: from scratch), and
 * the change marker a full load read (null for a partial one).
 */
export async function loadSnapshot(db: Db, scope: ReloadScope | null, previous: Snapshot | null, past: PastSource): Promise<{ snapshot: Snapshot; seq: number | null }> {
  const builder = new SnapshotBuilder(scope, previous, past);
  const rest = await loadSnapshotRows(db, scope, builder);
  return { snapshot: builder.finish(rest, new Date()), seq: rest.seq };
}
