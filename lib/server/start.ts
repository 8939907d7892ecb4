// `npm start`: the LLM Canary server. Opens the database (embedded PGlite under .data/ unless
// DATABASE_URL is set), applies migrations, creates the first admin on an empty database,
// then serves the Next.js app. `--dev` serves with Next's dev server instead of the build.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import next from "next";
import { ensureBootstrapAdmin } from "../auth/user-service";
import { closeDatabase, getDatabase } from "../db/client";
import { applyMigrations } from "../db/migrate";
import { startAlertDispatcher } from "../alerts/dispatch";
import { startController } from "../controller/loop";
import { startClientApi } from "../hot/client-api";
import { readEnv } from "../env";
import { loadAuthSecret } from "./auth-secret";

const dev = process.argv.includes("--dev");

async function main(): Promise<void> {
  const env = readEnv();
  // Next reads NODE_ENV before app.prepare(); set it explicitly.
  (process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  process.env.AUTH_SECRET = loadAuthSecret(env.LLM_CANARY_DATA_DIR, env.AUTH_SECRET);
  process.env.AUTH_TRUST_HOST ??= "true";

  // The database first: a second process on the same embedded directory fails here, at once.
  const db = await getDatabase();
  log(`database: ${db.kind} (${db.location})`);
  if (!dev) ensureBuild();
  const applied = await applyMigrations(db);
  log(applied.length ? `applied migrations: ${applied.join(", ")}` : "migrations: up to date");

  const admin = await ensureBootstrapAdmin(db.prisma, { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD });

  const controller = startController(db, { tickMs: env.LLM_CANARY_CONTROLLER_TICK_MS });
  const alerts = startAlertDispatcher(db.prisma, 1_000, log);
  const clientApi = await startClientApi(db, {
    pollMs: env.LLM_CANARY_SNAPSHOT_POLL_MS,
    corsOrigins: env.LLM_CANARY_CORS_ORIGINS,
    onIngested: (rolloutIds) => controller.poke(rolloutIds),
  });
  const app = next({ dev, dir: process.cwd(), hostname: env.HOST, port: env.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  // The client API is served here, ahead of Next; everything else is Next's.
  const server = createServer((req, res) => {
    if (!clientApi.handle(req, res)) void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, resolve);
  });
  const shownHost = env.HOST === "0.0.0.0" || env.HOST === "::" ? "localhost" : env.HOST;
  log(`LLM Canary is running at http://${shownHost}:${env.PORT}`);
  // Last, so the password is the last thing on screen even after a first-run build.
  if (admin?.generatedPassword) {
    log(`created the first admin account: ${admin.email}`);
    log(`one-time password (shown only now): ${admin.generatedPassword}`);
  } else if (admin) {
    log(`created the first admin account from ADMIN_EMAIL: ${admin.email}`);
  }

  const shutdown = (signal: string) => {
    log(`${signal}: shutting down`);
    server.close();
    server.closeAllConnections();
    Promise.all([clientApi.stop(), controller.stop(), alerts.stop()])
      .then(() => closeDatabase())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

/** A fresh checkout has no production build yet: make one (once). */
function ensureBuild(): void {
  if (existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) return;
  log("no production build found: running `next build` (once; run `npm run build` after changing the code)");
  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const result = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: process.env });
  if (result.status !== 0) throw new Error("`next build` failed");
}

function log(message: string): void {
  console.info(`[llm-canary] ${message}`);
}

main().catch((error: unknown) => {
  console.error(`[llm-canary] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
