import { execFileSync } from "node:child_process";
import pg from "pg";
import type { AppProcess } from "../../helpers/app-process";
import { sleep } from "./checks";

// Who leads the controller, seen two ways: from PostgreSQL (sessions holding the controller's
// advisory lock in this database, sampled on a beat, each mapped to the app process that owns
// the connection through `ss`), and from the instances' own logs ("controller: this instance
// leads" / "leadership lost", plus the process exiting). The lock name is lib/controller/loop.ts's.

const LOCK_NAME = "llm-canary-controller";
const HOLDERS_SQL = `
  SELECT l.pid, a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.classid = ((hashtext($1)::bigint >> 32) & 4294967295)::oid
    AND l.objid = (hashtext($1)::bigint & 4294967295)::oid`;

export interface LockSample {
  at: number;
  /** Client ports (on 127.0.0.1) of the sessions holding the lock. */
  holders: number[];
}

export interface LockWatch {
  readonly samples: LockSample[];
  /** The app pid owning each current holder's connection (null: not one of ours, or unknown). */
  holderPids(): Promise<(number | null)[]>;
  stop(): Promise<void>;
}

export async function watchLock(databaseUrl: string, everyMs = 100): Promise<LockWatch> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const samples: LockSample[] = [];
  let stopped = false;
  const read = async () => (await db.query(HOLDERS_SQL, [LOCK_NAME])).rows.map((r) => Number(r.client_port));
  const loop = (async () => {
    while (!stopped) {
      const at = performance.now();
      samples.push({ at, holders: await read() });
      await sleep(everyMs);
    }
  })();
  return {
    samples,
    async holderPids() {
      const ports = await read();
      const owners = socketOwners();
      return ports.map((port) => owners.get(port) ?? null);
    },
    async stop() {
      stopped = true;
      await loop;
      await db.end();
    },
  };
}

/** Local port → pid of the process owning each TCP connection to a PostgreSQL port. */
function socketOwners(): Map<number, number> {
  const owners = new Map<number, number>();
  const out = execFileSync("ss", ["-tnpH", "state", "established"], { encoding: "utf8" });
  for (const line of out.split("\n")) {
    const match = /\S+:(\d+)\s+\S+:\d+\s+users:\(\("[^"]*",pid=(\d+)/.exec(line);
    if (match) owners.set(Number(match[1]), Number(match[2]));
  }
  return owners;
}

export interface LeadSpan {
  label: string;
  from: number;
  /** Infinity: still leading at the end. */
  to: number;
}

/** Each instance's leading spans from its log lines, ending at "leadership lost" or when it was killed. */
export function leadSpans(instances: readonly { app: AppProcess; diedAt: number | null }[]): LeadSpan[] {
  const spans: LeadSpan[] = [];
  for (const { app, diedAt } of instances) {
    let from: number | null = null;
    for (const line of app.lines) {
      if (/controller: this instance leads/.test(line.text) && from === null) from = line.at;
      if (/controller: leadership lost/.test(line.text) && from !== null) {
        spans.push({ label: app.label, from, to: line.at });
        from = null;
      }
    }
    if (from !== null) spans.push({ label: app.label, from, to: diedAt ?? Infinity });
  }
  return spans.sort((a, b) => a.from - b.from);
}

/** Pairs of spans of different instances that overlap in time. */
export function overlaps(spans: readonly LeadSpan[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const [a, b] = [spans[i], spans[j]];
      if (a.label !== b.label && a.from < b.to && b.from < a.to) found.push(`${a.label} and ${b.label} both lead for ${Math.min(a.to, b.to) - Math.max(a.from, b.from)} ms`);
    }
  }
  return found;
}
