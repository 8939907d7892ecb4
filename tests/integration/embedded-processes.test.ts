import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PostgresCluster, runningServer } from "@/lib/db/postgres-cluster";

// Real processes on one embedded data directory: the process that starts the embedded
// PostgreSQL server owns it, others share it, a server whose owner died is taken over and
// stopped by the next owner, and data survives restarts.

// `node --import tsx` rather than the tsx binary, which runs the script in a child process
// and so hides its pid (and survives SIGKILL of the wrapper).
const node = (args: string[]) => [process.execPath, ["--import", "tsx", ...args]] as const;
const children: ChildProcess[] = [];
const dataDirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  // No server may outlive the test, whatever failed.
  for (const dir of dataDirs.splice(0)) new PostgresCluster(path.join(dir, "postgres")).stop("immediate");
});

function newDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "llmc-data-"));
  dataDirs.push(dir);
  return dir;
}

const serverOf = (dataDir: string) => runningServer(path.join(dataDir, "postgres"));

function envFor(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LLM_CANARY_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  return env;
}

function cli(dataDir: string, ...args: string[]) {
  const result = spawnSync(...node(["lib/cli/main.ts", ...args]), { env: envFor(dataDir), encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A process that opens the embedded database and holds it until killed. */
async function holdDatabase(dataDir: string): Promise<ChildProcess> {
  const script = `import("./lib/db/client.ts").then(async (m) => { await m.getDatabase(); console.log("ready"); setInterval(() => {}, 1000); })`;
  const child = spawn(...node(["-e", script]), { env: envFor(dataDir), stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`holder exited early with ${code}`)));
  });
  return child;
}

describe("embedded database across processes", () => {
  it("keeps data across restarts, and stops the server it started", () => {
    const dir = newDataDir();
    const created = cli(dir, "api-key", "create", "--name", "persisted", "--scopes", "route");
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split("\n").at(-1);
    expect(key).toMatch(/^lck_[0-9a-z]{12}_[0-9a-z]{32}$/);
    expect(serverOf(dir)).toBeNull();
    const listed = cli(dir, "api-key", "list");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/\tpersisted\troute\t[^\n]*\tactive\t/);
    expect(serverOf(dir)).toBeNull();
  });

  it("shares the running server with a second process, and the next process takes over a server whose owner died", async () => {
    const dir = newDataDir();
    const holder = await holdDatabase(dir);
    const started = serverOf(dir);
    expect(started).toMatchObject({ ready: true });

    // A second process (the CLI while the app runs) works on the same server, and leaves it running.
    const whileHeld = cli(dir, "api-key", "create", "--name", "while-held", "--scopes", "route");
    expect(whileHeld.stderr).toBe("");
    expect(whileHeld.code).toBe(0);
    expect(serverOf(dir)?.pid).toBe(started!.pid);

    // The owner dies without stopping its server: the server stays up, orphaned.
    holder.kill("SIGKILL");
    await new Promise((resolve) => holder.once("exit", resolve));
    expect(serverOf(dir)?.pid).toBe(started!.pid);

    // The next process takes it over, sees everything written before, and stops it when done.
    const after = cli(dir, "api-key", "create", "--name", "after-crash", "--scopes", "metrics");
    expect(after.stderr).toBe("");
    expect(after.code).toBe(0);
    expect(serverOf(dir)).toBeNull();
    const listed = cli(dir, "api-key", "list").stdout;
    expect(listed).toContain("while-held");
    expect(listed).toContain("after-crash");
  });
});
