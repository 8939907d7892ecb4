import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { ensureBootstrapAdmin, type BootstrapResult } from "../auth/user-service";
import { closeDatabase, getDatabase, type Database } from "../db/client";
import { applyMigrations } from "../db/migrate";
import { startGateway } from "../gateway/gateway";
import { startClientApi } from "../hot/client-api";
import { readEnv } from "../env";
import { loadAuthSecret } from "./auth-secret";
import { startConsole } from "./console";
import { tuneGarbageCollector } from "./gc-tuning";
import { CLIENT_IP_HEADER, clientAddress } from "../client-address";

// The LLM Canary server, started in this process: opens the database (the embedded PostgreSQL
// server under .data/ unless DATABASE_URL is set), applies migrations, creates the first admin on
// an empty database, starts the console's thread (the Next.js app, and the controller, the alert
// dispatcher, the evaluation worker and the retention job: ./console.ts), the client API and the
// OpenAI-compatible gateway, then serves those two here and forwards the rest to the console. `npm start`
// (lib/server/start.ts) and `npm run demo` (lib/demo/main.ts) both call it.

export interface StartServerOptions {
  /** Next's dev server instead of the production build. */
  dev?: boolean;
  /** The first admin on an empty database. Default: ADMIN_EMAIL / ADMIN_PASSWORD, else admin@llm-canary.local with a generated password. */
  admin?: { email?: string; password?: string };
  log?: (message: string) => void;
}

export interface ServerHandle {
  /** Where the console is, e.g. http://localhost:3000. */
  url: string;
  db: Database;
  /** The first admin, when this start created it. */
  admin: BootstrapResult | null;
  /** Stops serving, stops the background work and closes the database. */
  stop(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<ServerHandle> {
  tuneGarbageCollector();
  const dev = options.dev ?? false;
  const log = options.log ?? ((message: string) => console.info(`[llm-canary] ${message}`));
  const env = readEnv();
  // Next reads NODE_ENV before app.prepare(); set it explicitly.
  (process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  process.env.AUTH_SECRET = loadAuthSecret(env.LLM_CANARY_DATA_DIR, env.AUTH_SECRET);
  process.env.AUTH_TRUST_HOST ??= "true";

  const db = await getDatabase();
  log(`database: ${db.kind} (${db.location})`);
  if (db.kind === "embedded" && existsSync(path.join(env.LLM_CANARY_DATA_DIR, "pglite"))) {
    log(`${path.join(env.LLM_CANARY_DATA_DIR, "pglite")} holds an embedded database (PGlite) of an earlier LLM Canary, which is no longer read; delete it when you no longer need it`);
  }
  if (!dev) ensureBuild(log);
  const applied = await applyMigrations(db);
  log(applied.length ? `applied migrations: ${applied.join(", ")}` : "migrations: up to date");

  const admin = await ensureBootstrapAdmin(db.prisma, {
    email: options.admin?.email ?? env.ADMIN_EMAIL,
    password: options.admin?.password ?? env.ADMIN_PASSWORD,
  });

  // The console's thread also runs the background jobs and stores the gateway's outcomes
  // (./console.ts says why); outcomes stored here make its controller judge their rollouts.
  const consoleApp = await startConsole(db, { dev, hostname: env.HOST, port: env.PORT, log });
  const clientApi = await startClientApi(db, {
    pollMs: env.LLM_CANARY_SNAPSHOT_POLL_MS,
    corsOrigins: env.LLM_CANARY_CORS_ORIGINS,
    onIngested: consoleApp.poke,
  });
  const gateway = startGateway(db, {
    store: clientApi.store,
    storeOutcomes: consoleApp.storeOutcomes,
    usage: clientApi.usage,
    timeoutMs: env.LLM_CANARY_GATEWAY_TIMEOUT_MS,
    onIngested: consoleApp.poke,
    log,
  });
  // The client API and the gateway are served here, on this thread; everything else is the console's.
  const server = createServer(CONNECTION_LIMITS, (req, res) => {
    if (clientApi.handle(req, res) || gateway.handle(req, res)) return;
    // The console sees the client's address only through this header, which the server always
    // sets itself, so a client cannot choose the address its sign-in attempts are counted under.
    req.headers[CLIENT_IP_HEADER] = clientAddress(req, env.LLM_CANARY_TRUST_PROXY);
    consoleApp.forward(req, res);
  });
  // The dev server's hot reload talks over a WebSocket. Only then does the server take upgrades: in
  // production a request asking for one is an ordinary request, answered by the handler above.
  if (dev) {
    server.on("upgrade", (req, socket, head) => {
      req.headers[CLIENT_IP_HEADER] = clientAddress(req, env.LLM_CANARY_TRUST_PROXY);
      consoleApp.upgrade(req, socket, head);
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, resolve);
  });
  const shownHost = env.HOST === "0.0.0.0" || env.HOST === "::" ? "localhost" : env.HOST;

  let stopping: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${env.PORT}`,
    db,
    admin,
    stop() {
      stopping ??= (async () => {
        server.close();
        server.closeIdleConnections();
        // Gateway calls in flight may finish (up to a grace period) and every outcome is stored
        // before the database closes.
        await gateway.stop();
        server.closeAllConnections();
        await Promise.all([consoleApp.stop(), clientApi.stop()]);
        await closeDatabase();
      })();
      return stopping;
    },
  };
}

/**
 * A client must send its headers within 10 s and its whole request within 30 s (bodies are small:
 * the largest is a metrics batch), checked every second; otherwise the connection is closed (408).
 * Node's defaults (60 s and 300 s, checked every 30 s) let slow clients hold connections for
 * minutes. Answers are not limited: a long answer is the server's doing, not the client's.
 */
const CONNECTION_LIMITS = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000, keepAliveTimeout: 5_000 };

/** A fresh checkout has no production build yet: make one (once). */
function ensureBuild(log: (message: string) => void): void {
  if (existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) return;
  log("no production build found: running `next build` (once; run `npm run build` after changing the code)");
  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const result = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: process.env });
  if (result.status !== 0) throw new Error("`next build` failed");
}
