import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// Real processes on one embedded data directory: the lock must keep a second process out
// (instead of both writing and losing each other's data), and data must survive restarts.

// `node --import tsx` rather than the tsx binary, which runs the script in a child process
// and so hides its pid (and survives SIGKILL of the wrapper).
const node = (args: string[]) => [process.execPath, ["--import", "tsx", ...args]] as const;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

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
  it("keeps data across restarts", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "llmc-data-"));
    const created = cli(dir, "api-key", "create", "--name", "persisted", "--scopes", "route");
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split("\n").at(-1);
    expect(key).toMatch(/^lck_[0-9a-z]{12}_[0-9a-z]{32}$/);
    const listed = cli(dir, "api-key", "list");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("persisted\troute\tactive");
  });

  it("refuses a second process with a clear message, and lets one in after the first dies", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "llmc-data-"));
    const holder = await holdDatabase(dir);

    const second = spawnSync(...node(["lib/server/start.ts"]), { env: envFor(dir), encoding: "utf8", timeout: 60_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain("The embedded database is in use by another LLM Canary process");
    expect(second.stderr).toContain(`pid ${holder.pid}`);

    const third = cli(dir, "api-key", "list");
    expect(third.code).toBe(1);
    expect(third.stderr).toContain("in use by another LLM Canary process");

    holder.kill("SIGKILL");
    await new Promise((resolve) => holder.once("exit", resolve));
    const after = cli(dir, "api-key", "create", "--name", "after-crash", "--scopes", "metrics");
    expect(after.stderr).toBe("");
    expect(after.code).toBe(0);
    expect(cli(dir, "api-key", "list").stdout).toContain("after-crash");
  });
});
