import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";
import { adminQuery, testServerUrl, withDatabase } from "./test-database-url";
import { ensureTestServer } from "./test-server";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

// Migrate a template database once, the real way; each test file then clones it (CREATE
// DATABASE ... TEMPLATE), which takes milliseconds. Without TEST_DATABASE_URL (`npm run
// test:integration` alone) a throwaway server is started here; the workers inherit its URL.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const testServer = await ensureTestServer((line) => console.info(line));
  const server = testServerUrl();
  // Per run, so two runs against one server do not collide.
  const templateDb = `llm_canary_tpl_${randomBytes(4).toString("hex")}`;
  project.provide("templateDatabase", templateDb);
  await adminQuery(server, `CREATE DATABASE ${templateDb}`);
  const db = await openDatabase({ url: withDatabase(server, templateDb) });
  try {
    await applyMigrations(db);
  } finally {
    await db.close();
  }
  return async () => {
    await adminQuery(server, `DROP DATABASE IF EXISTS ${templateDb} WITH (FORCE)`);
    await testServer.close();
  };
}
