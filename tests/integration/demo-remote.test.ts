import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDemoAdmin } from "@/lib/demo/local-admin";
import { DEMO_USAGE } from "@/lib/demo/options";
import { watchRollouts } from "@/lib/demo/progress";
import { remoteDemoAdmin } from "@/lib/demo/remote-admin";
import { DEMO_CONFIGS, demoTraffic } from "@/lib/demo/scenario";
import { ForeignConfigError, seedDemo, type DemoSeed } from "@/lib/demo/seed";
import { createSimulator } from "@/lib/demo/simulator";
import { startApiServer, type ApiServer } from "../helpers/api-server";
import { adminKey } from "../helpers/call";
import { waitFor } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// `npm run demo -- --url … --key …`: the demo drives a server started elsewhere through its HTTP
// APIs only (here the app's own route handlers and client API on a real HTTP server), with an
// admin API key; and `--help` prints the options instead of starting anything.

let db: TestDatabase;
let srv: ApiServer;
let key: string;
let seed: DemoSeed;
const [chat] = DEMO_CONFIGS;

beforeAll(async () => {
  db = await createTestDatabase();
  srv = await startApiServer(db);
  key = (await adminKey(db.prisma)).slice("Bearer ".length);
  // An earlier `npm run demo` on this database seeded one config in-process, as the demo's system actor.
  await seedDemo(localDemoAdmin(db.prisma), [chat]);
}, 30_000);
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

const keyRow = (selector: string) => db.prisma.apiKey.findFirstOrThrow({ where: { selector } });

describe("the demo against a server started elsewhere", () => {
  it("seeds through the admin API as its key, and continues what the in-process demo seeded", async () => {
    const admin = await remoteDemoAdmin({ url: srv.baseUrl, key });
    seed = await seedDemo(admin);
    expect(seed.configs.map((c) => [c.key, c.action])).toEqual(DEMO_CONFIGS.map((c) => [c.key, c.key === chat.key ? "continued" : "started"]));
    const own = await keyRow(key.split("_")[1]);
    for (const { key: config } of seed.configs.slice(1)) {
      const { id: configId } = await db.prisma.config.findUniqueOrThrow({ where: { key: config } });
      const created = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "config.create", configId } });
      expect([created.actorType, created.actorId]).toEqual(["api_key", own.id]);
    }
    // The simulator's key: client scopes only, made by the admin key.
    const simulatorKey = await keyRow(seed.apiKey.split("_")[1]);
    expect(simulatorKey.scopes).toEqual(["route", "metrics"]);

    const again = await seedDemo(admin);
    expect(again.configs.map((c) => [c.action, c.rollout.id])).toEqual(seed.configs.map((c) => ["continued", c.rollout.id]));
    await admin.revokeKey(again.apiKeyId);
    expect((await keyRow(again.apiKey.split("_")[1])).revokedAt).not.toBeNull();
  });

  it("drives traffic to the server's client API, and reads the rollouts' progress through its admin API", async () => {
    const simulator = createSimulator({ baseUrl: srv.baseUrl, apiKey: seed.apiKey, traffic: demoTraffic().map((t) => ({ ...t, requestsPerSecond: 40 })), feedbackDelayMs: { min: 50, max: 200 } });
    simulator.start();
    await waitFor(async () => Object.values(simulator.counters().byConfig).every((c) => c.stable >= 10 && c.canary >= 2), 25_000);
    const final = await simulator.stop();
    expect(final.failed).toBe(0);
    expect(await db.prisma.outcome.count()).toBe(final.reported);

    const watcher = watchRollouts(await remoteDemoAdmin({ url: srv.baseUrl, key }), seed.configs.map((c) => ({ key: c.key, rolloutId: c.rollout.id })));
    const lines = await watcher.status(final);
    expect(lines).toHaveLength(DEMO_CONFIGS.length);
    for (const [i, line] of lines.entries()) expect(line).toMatch(new RegExp(`^${DEMO_CONFIGS[i].key} +sent \\d+ \\(stable \\d+, canary \\d+\\) +(running, stage \\d/\\d at \\d+%: .+|rolled back .+|promoted .+)$`));
  }, 40_000);

  it("refuses configs another key created, and writes nothing", async () => {
    const other = (await adminKey(db.prisma)).slice("Bearer ".length);
    const before = { versions: await db.prisma.version.count(), rollouts: await db.prisma.rollout.count(), keys: await db.prisma.apiKey.count() };
    const refusal = await seedDemo(await remoteDemoAdmin({ url: srv.baseUrl, key: other })).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ForeignConfigError);
    expect((refusal as ForeignConfigError).message).toMatch(/^The config `demo-doc-search` already exists and the demo did not create it \(key:key-\w+ created it on \d{4}-\d{2}-\d{2}\)/);
    expect({ versions: await db.prisma.version.count(), rollouts: await db.prisma.rollout.count(), keys: await db.prisma.apiKey.count() }).toEqual(before);
  });

  it("refuses a key that is not an active admin key before doing anything", async () => {
    const client = (await adminKey(db.prisma, ["route", "metrics"])).slice("Bearer ".length);
    await expect(remoteDemoAdmin({ url: srv.baseUrl, key: client })).rejects.toThrow(/403|admin/);
    await expect(remoteDemoAdmin({ url: srv.baseUrl, key: "not-a-key" })).rejects.toThrow("--key: this is not an LLM Canary API key");
  });
});

describe("npm run demo's command line", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "lib/demo/main.ts", ...args], { encoding: "utf8", timeout: 30_000, env: { ...process.env, DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none", LLM_CANARY_KEY: "" } });

  it("--help prints the options and starts nothing", () => {
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout.trim()).toBe(DEMO_USAGE);
    expect(help.stderr).toBe("");
  });

  it("a mistake prints why and the options, and exits 2", () => {
    const wrong = run("--url", "http://localhost:3000");
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("[demo] --url needs an API key with the admin scope");
    expect(wrong.stderr).toContain(DEMO_USAGE);
  });
});
