// Serves the production build for the e2e tests on a fresh database of their own on
// TEST_DATABASE_URL's server (`npm test` starts one when none is given).
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { appendFileSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { createUser, ensureBootstrapAdmin } from "../../lib/auth/user-service";
import { appDatabaseTarget, openDatabase } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";
import { testServerUrl, withDatabase } from "../helpers/test-database-url";
import { ensureTestServer } from "../helpers/test-server";
import { E2E_ADMIN, E2E_DATABASE_FILE, E2E_FIRST_LOGIN_FILE, E2E_PORT, E2E_SECRETS_FILE, E2E_SERVER_LOG, E2E_USERS } from "./constants";

/** Longer than any e2e run: a database older than this belongs to no run still going. */
const STALE_AFTER_S = 3 * 60 * 60;

/** Everything this process prints also goes to a file, for the check that no secret is logged. */
function teeOutput(): void {
  mkdirSync(path.dirname(E2E_SERVER_LOG), { recursive: true });
  // Opened once and written synchronously: the log is complete on disk whenever the check reads it.
  const log = openSync(E2E_SERVER_LOG, "w");
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      appendFileSync(log, chunk as string | Uint8Array);
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

async function main(): Promise<void> {
  teeOutput();
  const suffix = randomBytes(4).toString("hex");
  // `npm run test:e2e` alone: a throwaway server for as long as this process lives.
  await ensureTestServer();
  const server = testServerUrl();
  // The creation time in the name lets a run tell stale databases from those of runs still going.
  const name = `llm_canary_e2e_${Math.floor(Date.now() / 1000)}_${suffix}`;
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  // Databases of earlier runs, left when a run was killed. Only those older than a run can last:
  // another checkout's run may have created its database and not connected to it yet.
  const old = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'llm_canary_e2e_%'`);
  const staleBefore = Date.now() / 1000 - STALE_AFTER_S;
  for (const { datname } of old.rows) {
    const created = Number(/^llm_canary_e2e_(\d+)_/.exec(datname)?.[1] ?? 0);
    if (created < staleBefore) await client.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => {});
  }
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  process.env.DATABASE_URL = withDatabase(server, name);
  process.env.PORT = String(E2E_PORT);
  process.env.HOST = "127.0.0.1";
  process.env.ADMIN_EMAIL = E2E_ADMIN.email;
  process.env.ADMIN_PASSWORD = E2E_ADMIN.password;
  process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
  // The alert-channel journey's receiver and the provider journey's test server listen on
  // 127.0.0.1: allow the loopback and nothing else.
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = "127.0.0.0/8,::1";
  process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  // bcrypt at cost 4 rather than 12: the journeys sign in dozens of times (the sign-in limits'
  // tests alone about fifty), a quarter of a second of CPU each at 12 on a two-core machine.
  process.env.LLM_CANARY_PASSWORD_HASH_COST = "4";
  writeFileSync(E2E_SECRETS_FILE, JSON.stringify({ authSecret: process.env.AUTH_SECRET, encryptionKey: process.env.LLM_CANARY_ENCRYPTION_KEY }));
  await seedUsers();
  writeFileSync(E2E_DATABASE_FILE, JSON.stringify({ url: process.env.DATABASE_URL }));
  await import("../../lib/server/start");
}

/**
 * The first admin (from ADMIN_EMAIL, as the start command would make it), one user per other
 * role, and a user holding a generated one-time password, for the first-sign-in test.
 */
async function seedUsers(): Promise<void> {
  const db = await openDatabase(appDatabaseTarget());
  try {
    await applyMigrations(db);
    await ensureBootstrapAdmin(db.prisma, { email: E2E_ADMIN.email, password: E2E_ADMIN.password });
    const system = { type: "system", id: null, label: "e2e", scopes: [] } as const;
    for (const [role, { email, password }] of Object.entries(E2E_USERS)) await createUser(db.prisma, system, { email, role, password });
    const { user, generatedPassword } = await createUser(db.prisma, system, { email: "newcomer@e2e.test", role: "viewer" });
    mkdirSync(path.dirname(E2E_FIRST_LOGIN_FILE), { recursive: true });
    writeFileSync(E2E_FIRST_LOGIN_FILE, JSON.stringify({ email: user.email, password: generatedPassword }));
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
