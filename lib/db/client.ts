import { mkdirSync } from "node:fs";
import path from "node:path";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "./generated/client";
import { acquireLock, type HeldLock } from "./embedded-lock";
import { processLeaderLock, serverLeaderLock, type LeaderLock } from "./leader-lock";
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
  /** For the migration engine only (lib/db/schema-engine.ts). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /**
   * A statement straight to the driver, for the ingest hot path: Prisma adds about a quarter to
   * a 500-row batch. `name` makes it a prepared statement (once per pooled connection).
   */
  query<T>(text: string, params: unknown[], name?: string): Promise<T[]>;
  /** A lock at most one process holds at a time (lib/db/leader-lock.ts). */
  leaderLock(name: string): LeaderLock;
  /** LISTEN on a channel: a connection of its own on a server, in-process on the embedded database. */
  listen(channel: string, handlers: ListenHandlers): Promise<Listener>;
  close(): Promise<void>;
}

export type DatabaseTarget = { url: string } | { embeddedDir: string } | { memory: true };

/** Opens a database. The app uses `getDatabase()`; tests and scripts open their own. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if ("url" in target) return openServer(target.url);
  return openEmbedded("memory" in target ? null : target.embeddedDir);
}

async function openServer(url: string): Promise<Database> {
  const [{ PrismaPg }, { default: pg }] = await Promise.all([import("@prisma/adapter-pg"), import("pg")]);
  // One pool for Prisma and the raw hot-path statements. A short connect timeout: with the server
  // down, /api/metrics answers 503 quickly instead of holding the client's batch.
  // Timeouts bound how long a hung server holds a request (and a pooled connection).
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000, statement_timeout: 30_000, query_timeout: 35_000 });
  pool.on("error", () => undefined); // an idle connection dropped by the server; the pool replaces it
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind: "server",
    location: redactUrl(url),
    // The engine takes a session advisory lock and releases it on the same connection: it needs
    // a connection of its own, closed when the engine is done, never one from the shared pool.
    adapterFactory: new PrismaPg({ connectionString: url, max: 1 }),
    query: async <T>(text: string, params: unknown[], name?: string) => (await pool.query({ text, values: params, name })).rows as T[],
    listen: async (channel, handlers) => listenOnServer(url, channel, handlers),
    leaderLock: (name) => serverLeaderLock(url, name),
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openEmbedded(dir: string | null): Promise<Database> {
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("pglite-prisma-adapter"),
  ]);
  let lock: HeldLock | null = null;
  let dataDir = "memory://";
  if (dir) {
    const absolute = path.resolve(dir);
    mkdirSync(path.dirname(absolute), { recursive: true });
    lock = acquireLock(`${absolute}.lock`);
    dataDir = absolute;
  }
  try {
    const pglite = await PGlite.create(dataDir);
    const adapterFactory = new PrismaPGlite(pglite) as unknown as SqlMigrationAwareDriverAdapterFactory;
    const prisma = new PrismaClient({ adapter: adapterFactory });
    return {
      prisma,
      kind: "embedded",
      location: dir ? path.resolve(dir) : "in memory",
      adapterFactory,
      query: async <T>(text: string, params: unknown[]) => (await pglite.query<T>(text, params)).rows,
      leaderLock: () => processLeaderLock,
      listen: async (channel, handlers) => {
        const unsubscribe = await pglite.listen(channel, (payload) => handlers.onNotify(payload));
        handlers.onUp();
        return { reconnect: () => undefined, close: () => unsubscribe() };
      },
      close: async () => {
        await prisma.$disconnect();
        await pglite.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
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
  return { embeddedDir: path.join(env.LLM_CANARY_DATA_DIR, "pglite") };
}

// One database per process. It lives on globalThis because the custom server (loaded by tsx)
// and Next's server bundle load this module as two separate instances; two PGlite instances on
// one directory would each lose the other's writes.
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
