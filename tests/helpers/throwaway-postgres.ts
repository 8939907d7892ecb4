import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// A PostgreSQL cluster of the test's own on a spare port, so a test can stop and restart the
// database under a running app. Needs the server binaries (Debian's postgresql package);
// initdb refuses to run as root, so as root it runs as the `postgres` user.

export function postgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const dir = versions.map((v) => path.join(root, v, "bin")).find((d) => existsSync(path.join(d, "pg_ctl")));
  return dir ?? null;
}

export interface ThrowawayPostgres {
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

export function startThrowawayPostgres(port: number): ThrowawayPostgres {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql");
  const dir = mkdtempSync(path.join(tmpdir(), "llm-canary-pg-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const asPostgres = (program: string, args: string[]) => {
    const command = [path.join(bin, program), ...args];
    if (process.getuid?.() === 0) execFileSync("su", ["postgres", "-c", command.map((a) => `'${a}'`).join(" ")], { stdio: "pipe" });
    else execFileSync(command[0], command.slice(1), { stdio: "pipe" });
  };
  asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const start = () => asPostgres("pg_ctl", ["-D", data, "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-w", "-l", path.join(dir, "log"), "start"]);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: () => asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]),
    start,
    destroy: () => {
      try {
        asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
