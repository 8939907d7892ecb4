// Shared by the `npm run bench:*` scripts: a fresh database on a real PostgreSQL server, the
// production server and the bare baseline as child processes, autocannon, and the report.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import type { Actor } from "../../lib/auth/actor";
import { createApiKey } from "../../lib/auth/api-key-service";
import { openDatabase, type DatabaseTarget } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";
import { createConfig } from "../../lib/release/config-service";
import { startRollout } from "../../lib/release/rollout-service";
import { createVersion } from "../../lib/release/version-service";
import { serverStartArgs } from "../helpers/server-command";

export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `llm_canary_bench_${randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: SERVER_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  try {
    await applyMigrations(db);
  } finally {
    await db.close();
  }
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface Seeded {
  authorization: string;
  /** Config `bench-template`: chat templates whose answers render (TEMPLATE_VALUES). */
  templateConfigKey: string;
  /** A key with the admin scope, for the admin API. */
  adminAuthorization: string;
  configKey: string;
  configId: string;
  stableId: string;
  canaryId: string;
  rolloutId: string;
}

/**
 * A chat template as apps version them: a system prompt with a variable and an optional section,
 * a few-shot pair, the history placeholder, the user's question; a tool and a response schema.
 */
function templateVersion(label: string) {
  return {
    label,
    model: "gpt-4o",
    provider: "openai",
    messages: [
      {
        role: "system",
        content:
          "You are the support assistant of {{product}}, a hosting platform. Solve the customer's problem in as few turns as possible.\n" +
          "Never invent account details, prices, limits or policies; when unsure, offer a hand-over to a human agent.{{#plan}}\n" +
          "The customer is on the {{plan}} plan.{{/plan}}\nKeep answers under 150 words; use numbered steps for anything the customer must do.",
      },
      { role: "user", content: "How do I add a custom domain?" },
      { role: "assistant", content: "1. Open your project's Domains tab.\n2. Add the domain.\n3. Create the DNS record shown there." },
      { role: "placeholder", name: "history" },
      { role: "user", content: "{{question}}" },
    ],
    temperature: 0.3,
    maxTokens: 600,
    tools: [{ name: "look_up_invoice", description: "The customer's invoices of a month", parameters: { type: "object", properties: { month: { type: "string" } }, required: ["month"] } }],
    variables: [{ name: "product", default: "Acme Cloud" }],
  };
}

/** What bench:route sends to `bench-template`: every variable of the template set. */
export const TEMPLATE_VALUES = { product: "Acme Cloud", plan: "Pro", question: "I was charged twice for my Pro plan this month, can you refund one?" };

/**
 * Configs `bench-chat` (a system prompt) and `bench-template` (a chat template), each with a
 * stable version and a 10 % canary, and a key with the route and metrics scopes.
 */
export async function seed(target: string | DatabaseTarget): Promise<Seeded> {
  const db = await openDatabase(typeof target === "string" ? { url: target } : target);
  const system: Actor = { type: "system", id: null, label: "bench", scopes: [] };
  try {
    const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: "You are a helpful support agent.\nAnswer briefly.", temperature: 0.7, maxTokens: 512 });
    const config = await createConfig(db.prisma, system, { key: "bench-chat", name: "Bench chat" });
    const stable = await createVersion(db.prisma, system, "bench-chat", version("v1"));
    const canary = await createVersion(db.prisma, system, "bench-chat", version("v2"));
    const stages = [{ percent: 10, minDurationSec: 3600, minSamples: 100 }, { percent: 100, minDurationSec: 3600, minSamples: 100 }];
    const rollout = await startRollout(db.prisma, system, "bench-chat", { canaryVersionId: canary.id, stages });
    await createConfig(db.prisma, system, { key: "bench-template", name: "Bench template" });
    await createVersion(db.prisma, system, "bench-template", templateVersion("t1"));
    const templateCanary = await createVersion(db.prisma, system, "bench-template", templateVersion("t2"));
    await startRollout(db.prisma, system, "bench-template", { canaryVersionId: templateCanary.id, stages });
    const { key } = await createApiKey(db.prisma, system, { name: "bench", scopes: ["route", "metrics"] });
    const admin = await createApiKey(db.prisma, system, { name: "bench admin", scopes: ["admin"] });
    return { authorization: `Bearer ${key}`, templateConfigKey: "bench-template", adminAuthorization: `Bearer ${admin.key}`, configKey: config.key, configId: config.id, stableId: stable.id, canaryId: canary.id, rolloutId: rollout.id };
  } finally {
    await db.close();
  }
}

export interface Running {
  port: number;
  /** The process, for reading its CPU time (cpuMs). */
  pid?: number;
  stop(): Promise<void>;
}

/** A process's CPU time so far (user + system), in ms, from /proc (Linux); NaN elsewhere. */
export function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces, inside parentheses): utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${what} exited with ${code} before it was ready:\n${output}`)));
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
}

/**
 * The production server (`npm start`'s command) on the given database: a server URL, or
 * `{ embeddedDir }` for the embedded database under that data directory (no DATABASE_URL).
 * BENCH_PROFILE_DIR: write a CPU profile there.
 */
export async function startApp(database: string | { embeddedDir: string }, port: number): Promise<Running> {
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    ADMIN_EMAIL: "bench@example.com",
    ADMIN_PASSWORD: "bench-password-long-enough",
  };
  if (typeof database === "string") {
    env.DATABASE_URL = database;
    env.LLM_CANARY_DATA_DIR = mkdtempSync(path.join(tmpdir(), "llm-canary-bench-"));
  } else {
    delete env.DATABASE_URL;
    env.LLM_CANARY_DATA_DIR = database.embeddedDir;
  }
  const child = spawn(process.execPath, serverStartArgs(profile), { env, stdio: ["ignore", "pipe", "pipe"] });
  await waitForLine(child, /is running at/, "the app");
  return { port, pid: child.pid, stop: stopper(child) };
}

/** A script of tests/bench run as a process of its own, ready once it prints `listening`. */
export async function startBenchScript(script: string, args: readonly (string | number)[], what: string): Promise<Running & { pid: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join("tests", "bench", script), ...args.map(String)], { stdio: ["ignore", "pipe", "pipe"] });
  await waitForLine(child, /listening/, what);
  return { port: Number(args[0]), pid: child.pid!, stop: stopper(child) };
}

export async function startBare(port: number, bodyBytes: number, status = 200): Promise<Running> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join("tests", "bench", "bare-server.ts"), String(port), String(bodyBytes), String(status)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitForLine(child, /listening/, "the bare server");
  return { port, stop: stopper(child) };
}

export type LoadResult = autocannon.Result;

/** `onResponse`: each answer's status and latency in ms with sub-millisecond precision (autocannon's own histogram keeps whole milliseconds). */
export function load(options: autocannon.Options, onResponse?: (status: number, ms: number) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ duration: DURATION_S, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
    if (onResponse) instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => onResponse(status, ms));
  });
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("   ")).join("\n");
}
