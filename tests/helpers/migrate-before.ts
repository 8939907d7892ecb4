import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "../../lib/db/client";
import { MIGRATIONS_DIR } from "../../lib/db/paths";
import { createSchemaEngine, NO_FILTER, readMigrationList } from "../../lib/db/schema-engine";

/** Applies the migrations that come before `migration`, so a test can seed the history it meets. */
export async function migrateBefore(db: Database, migration: string): Promise<void> {
  const earlier = await mkdtemp(path.join(tmpdir(), "llm-canary-migrations-"));
  try {
    for (const entry of await readdir(MIGRATIONS_DIR)) {
      if (entry.localeCompare(migration) < 0 || entry === "migration_lock.toml") {
        await cp(path.join(MIGRATIONS_DIR, entry), path.join(earlier, entry), { recursive: true });
      }
    }
    const { engine, close } = await createSchemaEngine(db.adapterFactory);
    try {
      await engine.applyMigrations({ migrationsList: await readMigrationList(earlier), filters: NO_FILTER });
    } finally {
      await close();
    }
  } finally {
    await rm(earlier, { recursive: true, force: true });
  }
}
