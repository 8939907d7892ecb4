import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";
import { testServerUrl, withDatabase } from "./test-database-url";

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
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${templateDb}`);
  } finally {
    await admin.end();
  }
  const db = await openDatabase({ url: withDatabase(server, templateDb) });
  try {
    await applyMigrations(db);
  } finally {
    await db.close();
  }
  return async () => {
    const client = new pg.Client({ connectionString: server.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${templateDb} WITH (FORCE)`);
    await client.end();
  };
}
