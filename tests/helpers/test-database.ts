import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { openDatabase, type Database } from "../../lib/db/client";
import { adminQuery, dropDatabase, testServerUrl, withDatabase } from "./test-database-url";

export interface TestDatabase extends Database {
  /** A plain pg connection string, for tests that need a second connection. */
  url: string;
}

/** A fresh, migrated database of its own for one test file. Close it in afterAll. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = testServerUrl();
  const template = inject("templateDatabase");
  const name = `llm_canary_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(server, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = withDatabase(server, name);
  const db = await openDatabase({ url });
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      await dropDatabase(server, name);
    },
  };
}
