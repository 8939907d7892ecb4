import { readdir } from "node:fs/promises";
import type { Database } from "./client";
import { MIGRATIONS_DIR } from "./paths";

export interface DatabaseHealth {
  kind: Database["kind"];
  reachable: boolean;
  migrations: { applied: string[]; pending: string[]; failed: string[] };
}

/** Reads migration state the way `prisma migrate status` does: files on disk vs `_prisma_migrations`. */
export async function checkDatabase(db: Database): Promise<DatabaseHealth> {
  const onDisk = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  try {
    const rows = await db.prisma.$queryRaw<{ migration_name: string; finished: boolean; rolled_back: boolean }[]>`
      SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
      FROM _prisma_migrations`;
    const applied = rows.filter((r) => r.finished && !r.rolled_back).map((r) => r.migration_name).sort();
    const failed = rows.filter((r) => !r.finished && !r.rolled_back).map((r) => r.migration_name).sort();
    const pending = onDisk.filter((name) => !applied.includes(name));
    return { kind: db.kind, reachable: true, migrations: { applied, pending, failed } };
  } catch {
    return { kind: db.kind, reachable: false, migrations: { applied: [], pending: onDisk, failed: [] } };
  }
}
