// `npm run demo`: the server, three demo configs with a canary each, and simulated users driving
// the client API, so a newcomer watches one canary promote itself, one roll back on its error
// rate and one roll back on a custom score (groundedness) in the console within a minute or so.
// `--exit-when-done` stops once every rollout has ended; `--help` lists the options
// (lib/demo/options.ts).
//
// The server runs in this process (lib/server/app-server.ts): the embedded database admits one
// process at a time. It uses the same database as `npm start` — the embedded one under
// LLM_CANARY_DATA_DIR (.data) or DATABASE_URL — so the console keeps the demo's history after
// the demo, and the seed is idempotent: a rerun reuses the demo configs, keeps driving a rollout
// that is still running, and starts a new canary where the last one ended. It writes only to the
// configs it created (`demo-support-chat`, `demo-doc-search`, `demo-policy-answers`) and stops
// with a message if a config under one of those keys is someone else's (lib/demo/seed.ts).
//
// With `--url URL --key KEY` it starts no server: it drives one started elsewhere, seeding it
// through its admin API with that admin key (lib/demo/remote-admin.ts) and sending the simulated
// traffic to its client API, as any client app would. Stop with Ctrl-C.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generatePassword } from "../auth/passwords";
import { readEnv } from "../env";
import { startServer, type ServerHandle } from "../server/app-server";
import type { DemoAdmin } from "./demo-admin";
import { localDemoAdmin } from "./local-admin";
import { DEMO_USAGE, DemoUsageError, parseDemoArgs, type DemoOptions } from "./options";
import { watchRollouts } from "./progress";
import { remoteDemoAdmin } from "./remote-admin";
import { demoTraffic } from "./scenario";
import { seedDemo, type DemoSeed } from "./seed";
import { createSimulator, type Simulator } from "./simulator";

const DEMO_ADMIN_EMAIL = "demo@llm-canary.local";
const STATUS_EVERY_MS = 5_000;

/** Where the demo drives traffic and how it reaches the admin operations, and what it stops at the end. */
interface Target {
  admin: DemoAdmin;
  /** The client API's base URL, for the simulator. */
  baseUrl: string;
  /** The console, for the banner. */
  consoleUrl: string;
  /** Prints how to sign in, under the console's address. */
  printSignIn(): void;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const options = readOptions();
  // The controller judges every running rollout each tick; a demo wants short ticks (outcomes
  // also trigger a judgement as they arrive). A server started elsewhere keeps its own.
  process.env.LLM_CANARY_CONTROLLER_TICK_MS ??= "1000";
  const target = options.remote ? await remoteTarget(options.remote) : await localTarget();
  let seed: DemoSeed | null = null;
  let simulator: Simulator | null = null;
  let stopping = false;
  const stop = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(simulator ? `${why}: stopping the traffic and flushing outcomes…` : `${why}: stopping`);
    const final = await simulator?.stop().catch(() => null);
    if (final) {
      say(`sent ${final.sent} requests, ${final.delivery.delivered} outcomes stored, ${final.scoreDelivery.delivered} late scores, ${final.feedback} late ratings, ${final.failed} failures`);
    }
    // The key's secret leaves with this process: revoke it rather than leave it lying around.
    if (seed) await target.admin.revokeKey(seed.apiKeyId).catch(() => undefined);
    await target.stop().catch(() => undefined);
    process.exit(code);
  };
  process.once("SIGINT", () => void stop("Ctrl-C", 0));
  process.once("SIGTERM", () => void stop("SIGTERM", 0));

  try {
    seed = await seedDemo(target.admin);
    simulator = createSimulator({ baseUrl: target.baseUrl, apiKey: seed.apiKey, traffic: demoTraffic() });
    simulator.start();
  } catch (error) {
    console.error(`[demo] could not seed the demo: ${error instanceof Error ? error.message : String(error)}`);
    return stop("failed", 1);
  }

  say("");
  say(`the console: ${target.consoleUrl}`);
  target.printSignIn();
  printRollouts(seed);
  const watcher = watchRollouts(target.admin, seed.configs.map((c) => ({ key: c.key, rolloutId: c.rollout.id })));
  let lastStatus = 0;
  let announcedEnd = false;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (stopping) return;
    try {
      for (const line of await watcher.changes()) say(line);
      if (watcher.allEnded()) {
        if (!announcedEnd) {
          announcedEnd = true;
          for (const line of await watcher.status(simulator.counters())) say(line);
          if (options.exitWhenDone) return void stop("every rollout has ended", 0);
          say("every rollout has ended. Traffic keeps flowing (all on stable) so the console stays live; Ctrl-C stops. Run `npm run demo` again for new canaries.");
        }
      } else if (Date.now() - lastStatus >= STATUS_EVERY_MS) {
        lastStatus = Date.now();
        for (const line of await watcher.status(simulator.counters(), true)) say(line);
        const { lastError, failed } = simulator.counters();
        if (failed && lastError) say(`(${failed} failed requests so far; the last: ${lastError})`);
      }
    } catch (error) {
      if (!stopping) say(`could not read the rollouts' state: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The command line, or the usage and an exit: `--help` prints it (0), a mistake prints why too (2). */
function readOptions(): DemoOptions {
  try {
    const options = parseDemoArgs(process.argv.slice(2), process.env);
    if (!options.help) return options;
    console.info(DEMO_USAGE);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    console.error(`[demo] ${error.message}\n\n${DEMO_USAGE}`);
    process.exit(2);
  }
}

/** The server in this process, on `npm start`'s database, with a demo admin to sign in as. */
async function localTarget(): Promise<Target> {
  const env = readEnv();
  const passwordFile = path.join(env.LLM_CANARY_DATA_DIR, "demo-admin-password");
  // A password of our choosing (not a one-time one): the newcomer signs in and watches at once.
  const password = env.ADMIN_PASSWORD ?? generatePassword();
  const email = env.ADMIN_EMAIL ?? DEMO_ADMIN_EMAIL;
  const server = await startServer({ admin: { email, password } });
  if (server.db.kind === "server") say(`seeding the demo configs into ${server.db.location}`);
  return {
    admin: localDemoAdmin(server.db.prisma),
    baseUrl: localUrl(env.HOST, env.PORT),
    consoleUrl: server.url,
    printSignIn: () => printSignIn(server, { email, password, fromEnv: env.ADMIN_PASSWORD !== undefined, passwordFile }),
    stop: () => server.stop(),
  };
}

/** A server started elsewhere, driven through its admin and client APIs only. */
async function remoteTarget(remote: { url: string; key: string }): Promise<Target> {
  say(`driving the server at ${remote.url} with the given admin key`);
  return {
    admin: await remoteDemoAdmin(remote),
    baseUrl: remote.url,
    consoleUrl: remote.url,
    printSignIn: () => say("sign in there with your own account"),
    stop: async () => undefined,
  };
}

function printSignIn(server: ServerHandle, admin: { email: string; password: string; fromEnv: boolean; passwordFile: string }): void {
  if (server.admin) {
    say(`sign in as ${admin.email} with the password ${admin.fromEnv ? "from ADMIN_PASSWORD" : admin.password}`);
    if (!admin.fromEnv) {
      // On a database given by DATABASE_URL, nothing else creates the data directory.
      mkdirSync(path.dirname(admin.passwordFile), { recursive: true });
      writeFileSync(admin.passwordFile, `${admin.password}\n`, { mode: 0o600 });
    }
  } else {
    const remembered = admin.fromEnv ? null : readRemembered(admin.passwordFile);
    say(
      remembered
        ? `sign in as ${DEMO_ADMIN_EMAIL} with the password ${remembered} (from ${admin.passwordFile}; unless you changed it), or with your own account`
        : "sign in with your account (this database already had users, so the demo created none)",
    );
  }
}

function printRollouts(seed: DemoSeed): void {
  for (const { key, action, rollout } of seed.configs) {
    const stages = rollout.stages.map((s) => `${s.percent}%`).join(" → ");
    say(`${key}: ${action === "started" ? "started" : "continuing"} rollout ${rollout.id}: ${rollout.baseVersion.label} (stable) → ${rollout.canaryVersion.label} (canary), stages ${stages}`);
  }
  say("simulated users are calling /api/route and reporting outcomes; watch the configs in the console");
  say("");
}

function readRemembered(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim() || null;
  } catch {
    return null;
  }
}

/** Where this process reaches its own server (a wildcard address is not one to connect to). */
function localUrl(host: string, port: number): string {
  const target = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${target}:${port}`;
}

function say(message: string): void {
  console.info(`[demo] ${message}`);
}

main().catch((error: unknown) => {
  console.error(`[demo] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
