// npm run db:generate (also npm install's postinstall): generates the Prisma client into
// lib/db/generated. `prisma generate` never uses the native schema engine, but the CLI asks it
// for its version and the engine cannot be downloaded offline: point the CLI at a stub that
// answers only that (and fails loudly for anything else), unless a real engine is configured.
import { spawnSync } from "node:child_process";
import path from "node:path";

const cwd = process.cwd();
const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(cwd, "prisma", "scripts", "schema-engine-stub.sh");

const result = spawnSync(process.execPath, [path.join(cwd, "node_modules", "prisma", "build", "index.js"), "generate"], {
  cwd,
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
