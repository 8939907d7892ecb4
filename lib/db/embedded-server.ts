import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { acquireLock, EmbeddedDatabaseLockedError, type HeldLock } from "./embedded-lock";
import { freePort, PostgresCluster, postgresBinDir, runningServer, type ClusterOptions } from "./postgres-cluster";

// The embedded database: a PostgreSQL server of our own under the data directory, started on
// demand. The process that starts it owns it (a lock file) and stops it when it closes; other
// processes on the same directory (the CLI while the server runs, a second instance) connect to
// the running server as guests. A server left running by an owner that died (SIGKILL) is taken
// over by the next process, which then stops it in its turn.
//
//   <data dir>/postgres/            the cluster (PGDATA; server.log inside)
//   <data dir>/postgres-password    the superuser's generated password (mode 0600)
//   <data dir>/postgres.lock        which process owns the running server

const WAIT_FOR_OWNER_MS = 60_000;

export interface EmbeddedServer {
  /** A connection string with the password: never log it. */
  url: string;
  /** True when this process started (or took over) the server and stops it on close. */
  owner: boolean;
  close(): Promise<void>;
}

export async function openEmbeddedServer(dataDir: string, options: ClusterOptions = {}): Promise<EmbeddedServer> {
  const root = path.resolve(dataDir);
  mkdirSync(root, { recursive: true });
  const cluster = new PostgresCluster(path.join(root, "postgres"), options);
  const password = readOrCreatePassword(path.join(root, "postgres-password"));
  const urlFor = (port: number) => `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  let lock: HeldLock;
  try {
    lock = acquireLock(path.join(root, "postgres.lock"));
  } catch (error) {
    if (!(error instanceof EmbeddedDatabaseLockedError)) throw error;
    // Another live process owns the server: use it once it is up.
    const port = await waitUntilReady(cluster.dataDir, WAIT_FOR_OWNER_MS);
    if (port === null) throw error;
    return { url: urlFor(port), owner: false, close: async () => undefined };
  }

  try {
    const orphan = runningServer(cluster.dataDir);
    let port: number;
    if (orphan) {
      port = orphan.port; // left by an owner that died: ours now
    } else {
      if (!cluster.initialised) cluster.init(password);
      port = await freePort();
      cluster.start(port);
    }
    const stopOnExit = () => stopQuietly(cluster, lock, options.ephemeral ? root : null);
    process.once("exit", stopOnExit);
    return {
      url: urlFor(port),
      owner: true,
      close: async () => {
        process.removeListener("exit", stopOnExit);
        stopOnExit();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** A server of its own in a new directory, deleted when closed: for tests and scripts. */
export async function openThrowawayServer(parentDir: string): Promise<EmbeddedServer> {
  postgresBinDir(); // fail before making a directory when the binaries are missing
  const dir = path.join(parentDir, `llm-canary-pg-${randomBytes(4).toString("hex")}`);
  return openEmbeddedServer(dir, { ephemeral: true });
}

function stopQuietly(cluster: PostgresCluster, lock: HeldLock, removeDir: string | null): void {
  try {
    cluster.stop();
  } catch (error) {
    console.error(`[llm-canary] could not stop the embedded database: ${error instanceof Error ? error.message : String(error)}`);
  }
  lock.release();
  if (removeDir) rmSync(removeDir, { recursive: true, force: true });
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const password = randomBytes(24).toString("base64url");
  try {
    writeFileSync(file, `${password}\n`, { mode: 0o600, flag: "wx" });
    return password;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readFileSync(file, "utf8").trim(); // another process made it first
  }
}

/** The port of the server on `dataDir` once it is ready, or null if none comes up in time. */
async function waitUntilReady(dataDir: string, timeoutMs: number): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const server = runningServer(dataDir);
    if (server?.ready) return server.port;
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
