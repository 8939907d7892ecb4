import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "../../lib/db/client";
import { MIGRATIONS_DIR } from "../../lib/db/paths";
import { createSchemaEngine, NO_FILTER, readMigrationList } from "../../lib/db/schema-engine";
import { adminQuery, testServerUrl, withDatabase } from "./test-database-url";

/**
 * A new database on the test server with only the migrations before `migration` applied, for a
 * test that seeds the history a migration meets and then applies the rest. `drop` closes and
 * removes it.
 */
export async function databaseBefore(migration: string): Promise<{ db: Database; drop(): Promise<void> }> {
  const server = testServerUrl();
  const name = `llm_canary_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(server, `CREATE DATABASE ${name}`);
  const db = await openDatabase({ url: withDatabase(server, name) });
  const drop = async () => {
    await db.close();
    await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    await migrateBefore(db, migration);
  } catch (error) {
    await drop();
    throw error;
  }
  return { db, drop };
}

/**
 * The same on the embedded database (a PostgreSQL server of our own under a fresh data
 * directory, as `npm start` without DATABASE_URL runs): `drop` stops it and removes the directory.
 */
export async function embeddedDatabaseBefore(migration: string): Promise<{ db: Database; drop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "llm-canary-embedded-"));
  const drop = async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  };
  let db: Database | undefined;
  try {
    db = await openDatabase({ embeddedDir: dir });
    await migrateBefore(db, migration);
    return { db, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

async function migrateBefore(db: Database, migration: string): Promise<void> {
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
