// Serves the production build for the e2e tests on a database of their own: a fresh database
// on TEST_DATABASE_URL's server when it is set, otherwise a fresh embedded data directory.
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { testServerUrl, withDatabase } from "../helpers/test-database-url";
import { E2E_ADMIN, E2E_PORT } from "./constants";

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString("hex");
  const server = testServerUrl();
  if (server) {
    const name = `llm_canary_e2e_${suffix}`;
    const client = new pg.Client({ connectionString: server.toString() });
    await client.connect();
    // Databases of earlier runs that are not in use any more.
    const old = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'llm_canary_e2e_%'`);
    for (const { datname } of old.rows) await client.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => {});
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    process.env.DATABASE_URL = withDatabase(server, name);
  } else {
    delete process.env.DATABASE_URL;
    process.env.LLM_CANARY_DATA_DIR = path.join(process.cwd(), "tests", ".e2e", `data-${suffix}`);
  }
  process.env.PORT = String(E2E_PORT);
  process.env.HOST = "127.0.0.1";
  process.env.ADMIN_EMAIL = E2E_ADMIN.email;
  process.env.ADMIN_PASSWORD = E2E_ADMIN.password;
  process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
  await import("../../lib/server/start");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
