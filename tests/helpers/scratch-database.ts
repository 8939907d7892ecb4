import { randomBytes } from "node:crypto";
import type { Actor } from "../../lib/auth/actor";
import { createApiKey } from "../../lib/auth/api-key-service";
import type { ApiKeyScope } from "../../lib/auth/scopes";
import { openDatabase } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";
import { adminQuery, dropDatabase, isLocalServer, withDatabase } from "./test-database-url";

// A migrated database of its own on a PostgreSQL server, dropped afterwards (WITH FORCE, so
// connections a killed app left behind do not keep it), and API keys made in it through the
// same service the admin API calls. For scripts that start the production server on it.

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Refuses anything but a local server: these scripts create and drop databases. */
function assertLocal(url: string): void {
  if (!isLocalServer(new URL(url))) {
    throw new Error(`Refusing to create scratch databases on ${new URL(url).hostname}: only a local PostgreSQL server is accepted.`);
  }
}

export async function createScratchDatabase(serverUrl: string, prefix = "llm_canary_soak"): Promise<ScratchDatabase> {
  assertLocal(serverUrl);
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(new URL(serverUrl), name);
  const drop = () => dropDatabase(serverUrl, name);
  try {
    await migrate(url);
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, name, drop };
}

export async function migrate(url: string): Promise<void> {
  const db = await openDatabase({ url });
  try {
    await applyMigrations(db);
  } finally {
    await db.close();
  }
}

/** A new API key with these scopes (the key itself: send it as `Bearer <key>`). */
export async function createKey(url: string, name: string, scopes: ApiKeyScope[]): Promise<string> {
  const system: Actor = { type: "system", id: null, label: "soak", scopes: [] };
  const db = await openDatabase({ url });
  try {
    const { key } = await createApiKey(db.prisma, system, { name, scopes });
    return key;
  } finally {
    await db.close();
  }
}
