import type { Database } from "./client";
import { createSchemaEngine, NO_FILTER, readMigrationList } from "./schema-engine";

/** Applies every migration in prisma/migrations not yet applied; returns the names applied now. */
export async function applyMigrations(db: Database, log?: (line: string) => void): Promise<string[]> {
  const { engine, close } = await createSchemaEngine(db.adapterFactory, log);
  try {
    const migrationsList = await readMigrationList();
    const result = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return result.appliedMigrationNames;
  } finally {
    await close();
  }
}
