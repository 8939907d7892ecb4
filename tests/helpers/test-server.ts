import { tmpdir } from "node:os";
import { openThrowawayServer } from "../../lib/db/embedded-server";

// The PostgreSQL server the integration and e2e tests run on: TEST_DATABASE_URL when set (CI
// sets the machine's server), otherwise a throwaway server started from the npm-shipped
// binaries for this run and deleted afterwards. Either way the tests run on a real server:
// concurrent transactions, row locks, LISTEN/NOTIFY and several processes behave as in production.

export interface TestServer {
  url: string;
  /** Stops a server this call started (nothing for TEST_DATABASE_URL). */
  close(): Promise<void>;
}

/** Sets TEST_DATABASE_URL for this process and its children when it was unset. */
export async function ensureTestServer(log: (line: string) => void = () => {}): Promise<TestServer> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { url: given, close: async () => undefined };
  const started = Date.now();
  const server = await openThrowawayServer(tmpdir());
  process.env.TEST_DATABASE_URL = server.url;
  log(`started a throwaway PostgreSQL server for the tests in ${Date.now() - started} ms`);
  return {
    url: server.url,
    close: async () => {
      delete process.env.TEST_DATABASE_URL;
      await server.close();
    },
  };
}
