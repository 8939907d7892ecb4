import type { DatabaseDescription } from "../db/client";
import type { OutcomeRow } from "../metrics/attribution";
import type { ServerStatus } from "./status";

// What the server's main thread and its console thread (./console.ts, ./console-worker.ts) say
// to each other.

export interface ConsoleWorkerData {
  /** Next's dev server instead of the production build. */
  dev: boolean;
  /** Where the console listens: a Unix socket in a directory only this user may enter. */
  socketPath: string;
  /** The main thread's database, opened again by URL (its credentials stay in the process). */
  databaseUrl: string;
  database: DatabaseDescription;
  /** The address clients reach the server at, for the URLs Next builds. */
  hostname: string;
  port: number;
}

/** From the console thread. */
export type ConsoleMessage =
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "status"; id: number }
  | { type: "stored"; id: number; accepted: number }
  | { type: "storeFailed"; id: number; error: StoreFailure }
  | { type: "stopped" };

/** Why outcomes were not stored, as the error the main thread's caller gets (lib/errors.ts AppError). */
export interface StoreFailure {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** From the main thread. */
export type MainMessage =
  | { type: "status"; id: number; status: ServerStatus }
  | { type: "store"; id: number; rows: readonly OutcomeRow[]; minutesFrom: Date }
  | { type: "poke"; rolloutIds: readonly string[] }
  | { type: "stop" };
