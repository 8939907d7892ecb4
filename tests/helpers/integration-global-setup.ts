import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";
import { adminQuery, testServerUrl, withDatabase } from "./test-database-url";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

// With a real server: migrate a template database once, the real way; each test file then
// clones it (CREATE DATABASE ... TEMPLATE), which takes milliseconds.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = testServerUrl();
  // Per run, so two runs against one server do not collide.
  const templateDb = `llm_canary_tpl_${randomBytes(4).toString("hex")}`;
  project.provide("templateDatabase", templateDb);
  if (!server) return async () => {};
  await adminQuery(server, `CREATE DATABASE ${templateDb}`);
  const db = await openDatabase({ url: withDatabase(server, templateDb) });
  try {
    await applyMigrations(db);
  } finally {
    await db.close();
  }
  return () => adminQuery(server, `DROP DATABASE IF EXISTS ${templateDb} WITH (FORCE)`);
}
