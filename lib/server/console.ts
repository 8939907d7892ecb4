import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Database } from "../db/client";
import { storeOn, type OutcomeStore } from "../metrics/ingest-repo";
import type { ConsoleMessage, ConsoleWorkerData, MainMessage } from "./console-messages";
import { createConsoleProxy, type ConsoleProxy } from "./console-proxy";
import { StoreRequests } from "./outcome-store-bridge";
import { localStatus } from "./status";

// The console — Next.js: pages, the admin API, sign-in — on a worker thread of its own, which the
// main thread forwards every request to that is not the client API's or the gateway's
// (./console-proxy.ts). Why a thread: Next turns on async hooks for the whole JavaScript isolate it
// runs in (every promise then pays for them) and patches Date; in the main thread's isolate the
// gateway's calls paid 20 % more CPU and promoted twice as much to the old generation, whose
// collections then held calls back (README, bench:gateway). A thread has an isolate and a heap of
// its own and shares the process: one process per instance to run, stop and measure.
// The thread also runs the background jobs (./background-jobs.ts: the controller, which the main
// thread pokes when outcomes are stored) and stores the gateway's outcomes (storeOutcomes), so that
// the main thread only serves requests: a controller pass and an outcome batch's statement each
// cost milliseconds of a thread's time, and calls in flight waited behind them (README,
// bench:gateway).

export interface ConsoleOptions {
  dev: boolean;
  /** The address clients reach the server at, for the URLs Next builds. */
  hostname: string;
  port: number;
  log: (message: string) => void;
}

export interface Console extends Omit<ConsoleProxy, "close"> {
  /**
   * Stores attributed outcomes: on the thread, or on the main thread's own database while the
   * thread is not running (./outcome-store-bridge.ts).
   */
  storeOutcomes: OutcomeStore;
  /** Has the controller judge these rollouts soon (dropped while the thread restarts: its next tick judges every rollout). */
  poke(rolloutIds: readonly string[]): void;
  /** Stops the console's thread (its requests in flight are cut off). */
  stop(): Promise<void>;
}

/**
 * A young generation of 8 MB for the console's thread instead of V8's 48 (3 semi-spaces of 16):
 * its pages need no short pauses, and those 40 MB would count in the instance's memory (measured
 * 26-30 MB less resident at start). Its old generation keeps V8's default limit.
 */
const CONSOLE_LIMITS = { maxYoungGenerationSizeMb: 8 };

/** After an unexpected end of the console's thread, the wait before it is started again: doubled after each start that fails, up to the maximum. */
const RESTART_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** Resolves once the console answers (its thread has prepared Next and listens). */
export async function startConsole(db: Database, options: ConsoleOptions): Promise<Console> {
  // Only this user may enter the directory (mkdtemp makes it 0700), so no other user's process
  // reaches the console, whose sign-in limits trust the client address the main thread puts in a
  // header.
  const dir = mkdtempSync(path.join(tmpdir(), "llm-canary-console-"));
  const data: ConsoleWorkerData = {
    dev: options.dev,
    socketPath: path.join(dir, "next.sock"),
    databaseUrl: db.url,
    database: { kind: db.kind, location: db.location },
    hostname: options.hostname,
    port: options.port,
  };
  let worker: Worker | null = null;
  let listening = false;
  let stopping = false;
  /** Once the first start succeeded, any end of the thread is followed by another start. */
  let started = false;
  /** Starts since the thread last became ready: the wait before the next grows with them. */
  let attempts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  const proxy = createConsoleProxy(() => (listening ? data.socketPath : null));
  /** Batches of outcomes sent to the thread and not answered yet: failed when it ends. */
  const stores = new StoreRequests(storeOn(db));

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      // A thread that ended abruptly may have left its socket file: listening again needs the path free.
      rmSync(data.socketPath, { force: true });
      const thread = spawnThread(data);
      worker = thread;
      const send = (message: MainMessage) => thread.postMessage(message);
      thread.on("message", (message: ConsoleMessage) => {
        if (message.type === "ready") {
          listening = true;
          started = true;
          attempts = 0;
          resolve();
        } else if (message.type === "failed") {
          reject(new Error(`the console failed to start: ${message.message}`));
          void thread.terminate();
        } else if (message.type === "status") {
          send({ type: "status", id: message.id, status: localStatus() });
        } else if (message.type === "stored" || message.type === "storeFailed") {
          stores.answer(message);
        }
      });
      thread.on("error", (error) => options.log(`the console's thread failed: ${error.message}`));
      thread.on("exit", (code) => {
        listening = false;
        worker = null;
        stores.failAll();
        reject(new Error(`the console's thread ended (exit code ${code}) before it was ready`));
        if (stopping || !started) return;
        const delayMs = Math.min(RESTART_MAX_DELAY_MS, RESTART_DELAY_MS * 2 ** attempts++);
        options.log(`the console's thread ended (exit code ${code}); starting it again in ${delayMs / 1000} s (attempt ${attempts})`);
        restartTimer = setTimeout(() => start().catch((error: Error) => options.log(error.message)), delayMs);
      });
    });

  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    forward: proxy.forward,
    upgrade: proxy.upgrade,
    poke(rolloutIds) {
      if (listening) worker?.postMessage({ type: "poke", rolloutIds } satisfies MainMessage);
    },
    storeOutcomes(rows, minutesFrom) {
      const thread = listening ? worker : null;
      return stores.store(thread && ((message) => thread.postMessage(message)), rows, minutesFrom);
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const thread = worker;
      if (thread) {
        const ended = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
        const stopped = new Promise<void>((resolve) => thread.on("message", (m: ConsoleMessage) => m.type === "stopped" && resolve()));
        thread.postMessage({ type: "stop" } satisfies MainMessage);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([stopped, new Promise((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
        clearTimeout(timer);
        await thread.terminate();
        await ended;
      }
      proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The console's thread, running ./console-worker.ts through tsx as the main thread runs its own
 * modules (`--import tsx` is not applied to a worker's entry: tsx is registered in the thread first).
 */
function spawnThread(data: ConsoleWorkerData): Worker {
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./console-worker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data, execArgv: [], resourceLimits: CONSOLE_LIMITS });
}
