import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { serverStartArgs } from "./server-command";

// The production server as a child process, started with `npm start`'s own command
// (`node <flags> --import tsx lib/server/start.ts`, never through npm, so the pid is the server's), with
// its output kept line by line with the time each line arrived. For scripts that kill the app
// (SIGKILL), restart it, or run several instances on one database and read their logs.

export interface OutputLine {
  /** performance.now() in this process when the line arrived. */
  at: number;
  text: string;
}

export interface AppProcessOptions {
  databaseUrl: string;
  port: number;
  /** Names the instance in error messages. */
  label?: string;
  /** Extra environment, e.g. LLM_CANARY_CONTROLLER_TICK_MS. */
  env?: Record<string, string>;
  /** Give up waiting for "is running at" after this long. Default 90 s (the machine may be busy). */
  startTimeoutMs?: number;
}

export interface AppProcess {
  readonly label: string;
  readonly port: number;
  readonly baseUrl: string;
  readonly pid: number;
  /** Every line so far, stdout and stderr together. */
  readonly lines: readonly OutputLine[];
  readonly exited: boolean;
  /** Resolves with the first line from index `from` on that matches; rejects after `timeoutMs` or when the process exits. */
  waitForLine(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<OutputLine>;
  /** Sends the signal and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM (a clean shutdown), then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** The last lines, for failure messages. */
  tail(count?: number): string;
}

const READY = /is running at/;

// Children still running when this process ends (an exception, Ctrl-C, a closed pipe) are
// killed with it, so a failed script leaves no server holding its port.
const running = new Set<ChildProcess>();
let cleanupInstalled = false;
function killChildrenOnExit(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", () => running.forEach((child) => child.kill("SIGKILL")));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => process.exit(130));
}

export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const label = options.label ?? `app:${options.port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "llm-canary-soak-"));
  const child: ChildProcess = spawn(process.execPath, serverStartArgs(), {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      PORT: String(options.port),
      HOST: "127.0.0.1",
      LLM_CANARY_DATA_DIR: dataDir,
      ADMIN_EMAIL: "soak@example.com",
      ADMIN_PASSWORD: "soak-password-long-enough",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  killChildrenOnExit();
  running.add(child);
  const lines: OutputLine[] = [];
  const listeners = new Set<() => void>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      running.delete(child);
      rmSync(dataDir, { recursive: true, force: true });
      resolve();
      listeners.forEach((notify) => notify());
    }),
  );
  const collect = () => {
    let partial = "";
    return (chunk: Buffer) => {
      const at = performance.now();
      const parts = (partial + chunk.toString()).split("\n");
      partial = parts.pop() ?? "";
      for (const text of parts) lines.push({ at, text });
      if (parts.length) listeners.forEach((notify) => notify());
    };
  };
  child.stdout?.on("data", collect());
  child.stderr?.on("data", collect());

  const tail = (count = 30) => lines.slice(-count).map((l) => `  ${label}| ${l.text}`).join("\n");

  const waitForLine: AppProcess["waitForLine"] = (pattern, { from = 0, timeoutMs = 30_000 } = {}) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.slice(from).find((line) => pattern.test(line.text));
        if (found || exited) {
          listeners.delete(check);
          clearTimeout(timer);
          if (found) resolve(found);
          else reject(new Error(`${label} exited before printing ${pattern}:\n${tail()}`));
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`${label} did not print ${pattern} within ${timeoutMs} ms:\n${tail()}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  const kill = async (signal: NodeJS.Signals) => {
    if (exited) return;
    child.kill(signal);
    await exit;
  };

  try {
    await waitForLine(READY, { timeoutMs: options.startTimeoutMs ?? 90_000 });
  } catch (error) {
    await kill("SIGKILL");
    throw error;
  }
  return {
    label,
    port: options.port,
    baseUrl: `http://127.0.0.1:${options.port}`,
    pid: child.pid!,
    lines,
    get exited() {
      return exited;
    },
    waitForLine,
    kill,
    async stop() {
      if (exited) return;
      const hard = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await kill("SIGTERM");
      clearTimeout(hard);
    },
    tail,
  };
}
