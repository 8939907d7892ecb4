import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";

// Which process owns the embedded database server (lib/db/embedded-server.ts): it started the
// server and stops it when it closes. This file lock (created with O_EXCL) lets one process own
// it; a lock left by a process that is gone (same host, pid no longer alive) is taken over.

export class EmbeddedDatabaseLockedError extends Error {
  constructor(lockPath: string, owner: LockOwner) {
    super(
      `The embedded database is in use by another LLM Canary process (pid ${owner.pid} on ${owner.host}, since ${owner.since}). ` +
        `Its database server did not come up; stop that process, or set DATABASE_URL to use a PostgreSQL server. Lock file: ${lockPath}`,
    );
    this.name = "EmbeddedDatabaseLockedError";
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export interface HeldLock {
  release(): void;
}

export function acquireLock(lockPath: string): HeldLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      return { release: () => releaseIfOwned(lockPath) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(lockPath);
      if (owner && isAlive(owner)) throw new EmbeddedDatabaseLockedError(lockPath, owner);
      removeQuietly(lockPath); // stale: its process is gone
    }
  }
  throw new Error(`Could not acquire the embedded database lock at ${lockPath}`);
}

function readOwner(lockPath: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, "utf8")) as Partial<LockOwner>;
    if (typeof parsed.pid !== "number" || typeof parsed.host !== "string") return null;
    return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? "unknown") };
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

function isAlive(owner: LockOwner): boolean {
  // A lock from another host (shared volume) cannot be checked: respect it.
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function releaseIfOwned(lockPath: string): void {
  const owner = readOwner(lockPath);
  if (owner && owner.pid === process.pid && owner.host === hostname()) removeQuietly(lockPath);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
