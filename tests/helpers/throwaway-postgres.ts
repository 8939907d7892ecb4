import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PostgresCluster } from "../../lib/db/postgres-cluster";

// A PostgreSQL cluster of the test's own on a given port, from the same npm-shipped binaries as
// the embedded database, so a test can stop and restart the database under a running app (the
// port stays the same, so the app's pools reconnect to it).

export interface ThrowawayPostgres {
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

export function startThrowawayPostgres(port: number): ThrowawayPostgres {
  const dir = mkdtempSync(path.join(tmpdir(), "llm-canary-pg-"));
  const cluster = new PostgresCluster(path.join(dir, "data"), { ephemeral: true });
  const password = randomBytes(12).toString("hex");
  cluster.init(password);
  const start = () => cluster.start(port);
  start();
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => cluster.stop(),
    start,
    destroy: () => {
      try {
        cluster.stop("immediate");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
