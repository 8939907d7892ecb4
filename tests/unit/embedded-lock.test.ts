import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, EmbeddedDatabaseLockedError } from "@/lib/db/embedded-lock";

const tmp = () => path.join(mkdtempSync(path.join(tmpdir(), "llmc-lock-")), "pglite.lock");

describe("embedded database lock", () => {
  it("lets one holder in and refuses a second while it lives", () => {
    const file = tmp();
    const held = acquireLock(file);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
    expect(() => acquireLock(file)).toThrow(EmbeddedDatabaseLockedError);
    expect(() => acquireLock(file)).toThrow(/in use by another LLM Canary process \(pid \d+/);
    held.release();
    expect(existsSync(file)).toBe(false);
    acquireLock(file).release();
  });

  it("takes over a lock whose process is gone", () => {
    const file = tmp();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    const deadPid = Number(dead.stdout.toString());
    writeFileSync(file, JSON.stringify({ pid: deadPid, host: hostname(), since: "earlier" }));
    const held = acquireLock(file);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
    held.release();
  });

  it("treats an unreadable lock file as stale", () => {
    const file = tmp();
    writeFileSync(file, "{half-writ");
    acquireLock(file).release();
  });

  it("respects a lock held on another host", () => {
    const file = tmp();
    writeFileSync(file, JSON.stringify({ pid: 1, host: "another-host", since: "earlier" }));
    expect(() => acquireLock(file)).toThrow(/pid 1 on another-host/);
  });

  it("does not remove a lock it does not own", () => {
    const file = tmp();
    const held = acquireLock(file);
    writeFileSync(file, JSON.stringify({ pid: 1, host: "another-host", since: "later" }));
    held.release();
    expect(existsSync(file)).toBe(true);
  });
});
