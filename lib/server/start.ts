// `npm start`: the LLM Canary server. Opens the database (the embedded PostgreSQL server under
// .data/ unless DATABASE_URL is set), applies migrations, creates the first admin on an empty database,
// then serves the Next.js app (lib/server/app-server.ts). `--dev` serves with Next's dev server
// instead of the build.
import { setServerSourceMaps } from "./source-maps";

const dev = process.argv.includes("--dev");
setServerSourceMaps(dev);

// When whatever reads our output goes away (a closed pipe), a log line must not take the server
// down — nor loop: Next logs uncaught exceptions, and each log line would raise EPIPE again.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

async function main(): Promise<void> {
  // Imported here, after the source maps are set: static imports would load first.
  const { startServer } = await import("./app-server");
  const { missingServerFlags } = await import("./node-flags");
  const missing = missingServerFlags();
  // Started some other way than `npm start` (a container's own command, say): it runs, with longer pauses under load.
  if (missing.length) log(`started without ${missing.join(" ")} (npm start's Node flags, lib/server/node-flags.ts says why): the gateway's calls may wait longer on garbage collection`);
  const server = await startServer({ dev, log });
  log(`LLM Canary is running at ${server.url}`);
  // Last, so the password is the last thing on screen even after a first-run build.
  const { admin } = server;
  if (admin?.generatedPassword) {
    log(`created the first admin account: ${admin.email}`);
    log(`one-time password (shown only now): ${admin.generatedPassword}`);
  } else if (admin) {
    log(`created the first admin account from ADMIN_EMAIL: ${admin.email}`);
  }

  const shutdown = (signal: string) => {
    log(`${signal}: shutting down`);
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

function log(message: string): void {
  console.info(`[llm-canary] ${message}`);
}

main().catch((error: unknown) => {
  console.error(`[llm-canary] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
