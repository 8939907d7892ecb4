import { createServer } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import type { ConsoleMessage, ConsoleWorkerData, MainMessage } from "./console-messages";
import { CONSOLE_KEEP_ALIVE_MS } from "./console-proxy";
import { consoleCollector } from "./gc-tuning";
import { setServerSourceMaps } from "./source-maps";
import type { ServerStatus } from "./status";

// The console's thread (./console.ts starts it): Next.js — pages, the admin API, sign-in — served
// on a Unix socket that the main thread forwards to; the background jobs (./background-jobs.ts);
// and the gateway's outcomes, attributed on the main thread, stored here. Modules are imported
// only after the source maps are set (a module loaded while they are on keeps its map:
// ./source-maps.ts).

const data = workerData as ConsoleWorkerData;
/** The console's garbage is collected this long after its last request ended, and at most this often while busy (./gc-tuning.ts). */
const IDLE_COLLECT_MS = 2_000;
const BUSY_COLLECT_MS = 5_000;
const port = parentPort!;
const post = (message: ConsoleMessage) => port.postMessage(message);

async function main(): Promise<void> {
  setServerSourceMaps(data.dev);
  const [{ default: next }, { closeDatabase, openDatabase, setDatabase }, { setStatusSource }, { storeOn }, { storeAndAnswer }, { startBackgroundJobs }, { readEnv }] =
    await Promise.all([
      import("next"),
      import("../db/client"),
      import("./status"),
      import("../metrics/ingest-repo"),
      import("./outcome-store-bridge"),
      import("./background-jobs"),
      import("../env"),
    ]);
  // A pool of this thread's own on the main thread's database, which it never starts or migrates.
  const db = await openDatabase({ url: data.databaseUrl }, data.database);
  setDatabase(db);
  // The thread's environment is a copy of the main thread's when it started (AUTH_SECRET set).
  const jobs = startBackgroundJobs(db, readEnv(), (message) => console.info(`[llm-canary] ${message}`));

  const store = storeOn(db);

  // /api/health reports the client API and the gateway, which live on the main thread.
  let lastId = 0;
  const asked = new Map<number, (status: ServerStatus) => void>();
  setStatusSource(
    () =>
      new Promise((resolve) => {
        const id = ++lastId;
        asked.set(id, resolve);
        post({ type: "status", id });
      }),
  );

  const app = next({ dev: data.dev, dir: process.cwd(), hostname: data.hostname, port: data.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const idle = consoleCollector(IDLE_COLLECT_MS, BUSY_COLLECT_MS);
  const server = createServer({ keepAliveTimeout: CONSOLE_KEEP_ALIVE_MS }, (req, res) => {
    idle.started();
    res.once("close", idle.ended);
    void handle(req, res);
  });
  // The dev server's hot reload talks over a WebSocket; the main thread hands upgrades on to here.
  if (data.dev) {
    const upgrade = app.getUpgradeHandler();
    server.on("upgrade", (req, socket, head) => void upgrade(req, socket, head));
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(data.socketPath, resolve);
  });

  port.on("message", (message: MainMessage) => {
    if (message.type === "status") {
      asked.get(message.id)?.(message.status);
      asked.delete(message.id);
      return;
    }
    if (message.type === "store") return void storeAndAnswer(store, message, post);
    if (message.type === "poke") return jobs.poke(message.rolloutIds);
    server.close();
    server.closeAllConnections();
    void Promise.all([app.close(), jobs.stop()])
      .catch(() => undefined)
      .then(closeDatabase)
      .finally(() => post({ type: "stopped" }));
  });
  post({ type: "ready" });
}

main().catch((error: unknown) => post({ type: "failed", message: error instanceof Error ? error.message : String(error) }));
