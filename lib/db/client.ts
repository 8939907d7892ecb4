import path from "node:path";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "./generated/client";
import { openEmbeddedServer, type EmbeddedServer } from "./embedded-server";
import { serverLeaderLock, type LeaderLock } from "./leader-lock";
import { listenOnServer, type ListenHandlers, type Listener } from "./listen";
import { readEnv } from "../env";

export type DbKind = "embedded" | "server";

export type Prisma = PrismaClient;

/** One open database: the Prisma client plus what migrations and health checks need. */
export interface Database {
  prisma: PrismaClient;
  kind: DbKind;
  /** Human description without credentials, for logs and /api/health. */
  location: string;
  /**
   * The connection URL, with its credentials: only for opening a second pool of this process's
   * (the console thread's, lib/server/console.ts). Never logged or shown.
   */
  url: string;
  /** For the migration engine only (lib/db/schema-engine.ts). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /**
   * A statement straight to the driver, for the ingest hot path: Prisma adds about a quarter to
   * a 500-row batch. `name` makes it a prepared statement (once per pooled connection).
   */
  query<T>(text: string, params: unknown[], name?: string): Promise<T[]>;
  /** A lock at most one process holds at a time (lib/db/leader-lock.ts). */
  leaderLock(name: string): LeaderLock;
  /** LISTEN on a channel, on a connection of its own. */
  listen(channel: string, handlers: ListenHandlers): Promise<Listener>;
  close(): Promise<void>;
}

export type DatabaseTarget = { url: string } | { embeddedDir: string };

/** What a database opened by URL says it is: the kind and location of the one another thread opened. */
export interface DatabaseDescription {
  kind: DbKind;
  location: string;
}

/**
 * Opens a database. The app uses `getDatabase()`; tests and scripts open their own. `describedAs`:
 * a pool on a database another thread of this process opened (the console thread on the embedded
 * one, which must not try to start it again), described as that thread describes it.
 */
export async function openDatabase(target: DatabaseTarget, describedAs?: DatabaseDescription): Promise<Database> {
  if ("url" in target) return openServer(target.url, undefined, describedAs);
  return openEmbedded(target.embeddedDir);
}

/** How long a query or a transaction waits for a free pooled connection. */
const CONNECTION_WAIT_MS = 10_000;

async function openServer(url: string, embedded?: { dir: string; server: EmbeddedServer }, describedAs?: DatabaseDescription): Promise<Database> {
  const [{ PrismaPg }, { default: pg }] = await Promise.all([import("@prisma/adapter-pg"), import("pg")]);
  // One pool for Prisma and the raw hot-path statements. The connect timeout also bounds the wait
  // for a free pooled connection: a burst of writers to the same rows waits its turn instead of
  // being told the database is down. A server that is down refuses at once, and /api/metrics
  // answers 503. Timeouts bound how long a hung server holds a request (and a pooled connection).
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: CONNECTION_WAIT_MS, statement_timeout: 30_000, query_timeout: 35_000 });
  pool.on("error", () => undefined); // an idle connection dropped by the server; the pool replaces it
  // Every transaction waits as long for its connection as a plain query does, not Prisma's default
  // 2 s: with all ten connections busy, a burst of writers (ratings of one minute, routing changes,
  // 100 configs created at once by a script) queues instead of being answered 503 busy.
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: { maxWait: CONNECTION_WAIT_MS } });
  return {
    prisma,
    kind: describedAs?.kind ?? (embedded ? "embedded" : "server"),
    location: describedAs?.location ?? (embedded ? embedded.dir : redactUrl(url)),
    url,
    // The engine takes a session advisory lock and releases it on the same connection: it needs
    // a connection of its own, closed when the engine is done, never one from the shared pool.
    adapterFactory: new PrismaPg({ connectionString: url, max: 1 }),
    query: async <T>(text: string, params: unknown[], name?: string) => (await pool.query({ text, values: params, name })).rows as T[],
    listen: async (channel, handlers) => listenOnServer(url, channel, handlers),
    leaderLock: (name) => serverLeaderLock(url, name),
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
      await embedded?.server.close();
    },
  };
}

/** The embedded database is a PostgreSQL server of our own under the data directory (lib/db/embedded-server.ts). */
async function openEmbedded(dir: string): Promise<Database> {
  const absolute = path.resolve(dir);
  const server = await openEmbeddedServer(absolute);
  try {
    return await openServer(server.url, { dir: absolute, server });
  } catch (error) {
    await server.close();
    throw error;
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return `${u.protocol}//${u.username ? `${u.username}@` : ""}${u.host}${u.pathname}`;
  } catch {
    return "postgresql (unparsable URL)";
  }
}

/** Where the app's database lives, from the environment: a server URL or the embedded directory. */
export function appDatabaseTarget(): DatabaseTarget {
  const env = readEnv();
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  return { embeddedDir: env.LLM_CANARY_DATA_DIR };
}

// One database per process. It lives on globalThis because the custom server (loaded by tsx)
// and Next's server bundle load this module as two separate instances; each would otherwise open
// its own pool (and, on the embedded database, try to own the server).
const GLOBAL_KEY = Symbol.for("llm-canary.database");
type GlobalWithDb = typeof globalThis & { [GLOBAL_KEY]?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  const g = globalThis as GlobalWithDb;
  if (!g[GLOBAL_KEY]) {
    g[GLOBAL_KEY] = openDatabase(appDatabaseTarget());
    g[GLOBAL_KEY].catch(() => {
      delete g[GLOBAL_KEY]; // let a later call retry
    });
  }
  return g[GLOBAL_KEY];
}

/** Makes `getDatabase()` answer with a database opened elsewhere (tests call handlers this way). */
export function setDatabase(db: Database): void {
  (globalThis as GlobalWithDb)[GLOBAL_KEY] = Promise.resolve(db);
}

export async function getPrisma(): Promise<PrismaClient> {
  return (await getDatabase()).prisma;
}

export async function closeDatabase(): Promise<void> {
  const g = globalThis as GlobalWithDb;
  const pending = g[GLOBAL_KEY];
  delete g[GLOBAL_KEY];
  if (pending) await (await pending).close();
}
