import pg from "pg";

// Integration and e2e tests run against TEST_DATABASE_URL: a real PostgreSQL server, the one CI
// gives or a throwaway one the test run starts (tests/helpers/test-server.ts). Only a local
// server is accepted: the tests create and drop databases.

export function isLocalServer(url: URL): boolean {
  return ["localhost", "127.0.0.1", "[::1]", "::1"].includes(url.hostname);
}

export function testServerUrl(): URL {
  const raw = process.env.TEST_DATABASE_URL;
  if (!raw) throw new Error("TEST_DATABASE_URL is not set: run the tests with `npm test` (or `npm run test:integration`), which start a PostgreSQL server when none is given.");
  const url = new URL(raw);
  if (!isLocalServer(url)) {
    throw new Error(`TEST_DATABASE_URL must point at a local server (localhost); it points at ${url.hostname}.`);
  }
  return url;
}

export function withDatabase(url: URL, name: string): string {
  const copy = new URL(url);
  copy.pathname = `/${name}`;
  return copy.toString();
}

/** One statement on a connection of its own to `server` (CREATE and DROP DATABASE run outside any pool). */
export async function adminQuery(server: URL | string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Drops a test's database once the connections its code closed have gone (at most `waitMs`), then
 * forcibly. pg's pool resolves `end()` when its clients have been told to end, not when they have;
 * a forced drop that overtakes one sends it a FATAL "terminating connection" it reports as an
 * uncaught error, which fails the whole vitest run.
 */
export async function dropDatabase(server: URL | string, name: string, waitMs = 2_000): Promise<void> {
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    const until = Date.now() + waitMs;
    while (Date.now() < until) {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
