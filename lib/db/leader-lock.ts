import pg from "pg";

// At most one holder among all processes on one database: a session-level advisory lock on a
// connection of its own. If the holder dies or its connection drops, the server releases the
// lock and another process takes it at its next attempt.

export interface LeaderLock {
  /** True while this process holds the lock (it checks the connection is still alive). */
  tryAcquire(): Promise<boolean>;
  release(): Promise<void>;
}

export function serverLeaderLock(url: string, name: string): LeaderLock {
  let client: pg.Client | null = null;
  let held = false;
  const drop = async () => {
    held = false;
    const dead = client;
    client = null;
    await dead?.end().catch(() => undefined);
  };
  return {
    async tryAcquire() {
      try {
        if (!client) {
          const fresh = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
          fresh.on("error", () => void drop());
          client = fresh;
          await fresh.connect();
        }
        if (held) {
          await client.query("SELECT 1"); // still connected, so still holding it
          return true;
        }
        const result = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS ok", [name]);
        held = result.rows[0].ok;
        return held;
      } catch {
        await drop();
        return false;
      }
    },
    release: drop, // ending the session releases the lock
  };
}
