import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actOnRollout } from "@/lib/analysis/rollout-actions";
import { watchRollouts } from "@/lib/demo/progress";
import { seedDemo, DEMO_ACTOR, type DemoSeed } from "@/lib/demo/seed";
import { DEMO_CONFIGS, demoTraffic } from "@/lib/demo/scenario";
import { createSimulator } from "@/lib/demo/simulator";
import { getConfig } from "@/lib/release/config-service";
import { listVersions } from "@/lib/release/version-service";
import { startClientApiServer, waitFor, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// `npm run demo`'s parts against a real database: the seed through the services (twice, at
// once and again later, and after a rollout ended), and the traffic simulator driving the
// client API over HTTP through the SDK until both variants of both configs have traffic.

let db: TestDatabase;
let srv: ClientApiServer;
let seed: DemoSeed;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

describe("seedDemo", () => {
  it("seeds each demo config with a stable version and a running canary, idempotently even when run twice at once", async () => {
    const [first, second] = await Promise.all([seedDemo(db.prisma), seedDemo(db.prisma)]);
    for (const run of [first, second]) {
      expect(run.configs.map((c) => c.key)).toEqual(DEMO_CONFIGS.map((c) => c.key));
      expect(run.apiKey).toMatch(/^lck_/);
    }
    for (let i = 0; i < DEMO_CONFIGS.length; i++) {
      expect(second.configs[i].rollout.id).toBe(first.configs[i].rollout.id);
      expect([first.configs[i].action, second.configs[i].action].sort()).toEqual(["continued", "started"]);
      const { config, stableVersion, activeRollout } = await getConfig(db.prisma, DEMO_CONFIGS[i].key);
      expect(config.name).toBe(DEMO_CONFIGS[i].name);
      expect(stableVersion?.label).toBe("v1");
      expect(activeRollout).toMatchObject({ status: "running", autoPromote: true, stages: DEMO_CONFIGS[i].stages, startedBy: DEMO_ACTOR.label });
    }

    seed = await seedDemo(db.prisma);
    expect(seed.configs.map((c) => [c.key, c.action, c.rollout.id])).toEqual(first.configs.map((c) => [c.key, "continued", c.rollout.id]));
    expect(new Set([first.apiKey, second.apiKey, seed.apiKey]).size).toBe(3);
  });

  it("starts a new canary, on top of the stable version, where the last rollout ended", async () => {
    const ended = seed.configs.find((c) => c.key === "doc-search")!.rollout;
    const watcher = watchRollouts(db.prisma, seed.configs.map((c) => ({ key: c.key, rolloutId: c.rollout.id })));
    expect(await watcher.changes()).toEqual([]);
    await actOnRollout(db.prisma, DEMO_ACTOR, ended.id, "rollback", { reason: "test: the canary ended" });
    const [line, ...more] = await watcher.changes();
    expect(more).toEqual([]);
    expect(line).toMatch(/^doc-search: ROLLED BACK, \d+ s into the demo; everyone is on v1 again\. test: the canary ended$/);
    expect(watcher.allEnded()).toBe(false);

    const again = await seedDemo(db.prisma);
    const [chat, docs] = again.configs;
    expect(chat).toMatchObject({ key: "support-chat", action: "continued", rollout: { id: seed.configs[0].rollout.id } });
    expect(docs).toMatchObject({ key: "doc-search", action: "started", rollout: { status: "running", baseVersion: ended.baseVersion } });
    expect(docs.rollout.id).not.toBe(ended.id);
    const versions = await listVersions(db.prisma, "doc-search");
    const fresh = versions.find((v) => v.id === docs.rollout.canaryVersion.id)!;
    expect(fresh.parentVersionId).toBe(ended.baseVersion.id);
    expect(fresh.label).not.toBe(ended.canaryVersion.label);
    seed = again;
  });
});

describe("the traffic simulator", () => {
  it("routes simulated users through the client API and stores their outcomes for both variants", async () => {
    srv = await startClientApiServer(db);
    const simulator = createSimulator({
      baseUrl: srv.baseUrl,
      apiKey: seed.apiKey,
      // Faster than the demo, with late ratings soon after their requests.
      traffic: demoTraffic().map((t) => ({ ...t, requestsPerSecond: 60 })),
      feedbackDelayMs: { min: 50, max: 300 },
      seed: 7,
    });
    simulator.start();
    expect(simulator.running).toBe(true);
    const enough = () => {
      const { byConfig, feedback } = simulator.counters();
      return feedback >= 3 && Object.values(byConfig).every((c) => c.stable >= 20 && c.canary >= 5);
    };
    await waitFor(async () => enough(), 25_000);
    const final = await simulator.stop();
    expect(simulator.running).toBe(false);

    expect(final.failed).toBe(0);
    expect(final.lastError).toBeNull();
    expect(final.reported).toBe(final.sent);
    // stop() flushed the SDK's buffer: every reported outcome is stored.
    expect(final.delivery).toMatchObject({ buffered: 0, inFlight: 0, failed: 0, dropped: 0, delivered: final.reported });
    expect(await db.prisma.outcome.count()).toBe(final.reported);

    for (const { key, rollout } of seed.configs) {
      const { id: configId } = (await getConfig(db.prisma, key)).config;
      const stored = await db.prisma.outcome.groupBy({ by: ["variant", "versionId", "rolloutId"], where: { configId }, _count: { _all: true } });
      const count = (variant: string) => stored.filter((s) => s.variant === variant).reduce((n, s) => n + s._count._all, 0);
      expect(count("stable")).toBe(final.byConfig[key].stable);
      expect(count("canary")).toBe(final.byConfig[key].canary);
      // Each outcome is reported with the version and rollout its route answer named.
      expect(stored.map((s) => [s.variant, s.versionId, s.rolloutId]).sort()).toEqual(
        [
          ["canary", rollout.canaryVersion.id, rollout.id],
          ["stable", rollout.baseVersion.id, rollout.id],
        ].sort(),
      );
      const errors = await db.prisma.outcome.findMany({ where: { configId, isError: true }, select: { errorType: true, output: true, rating: true } });
      expect(errors.every((e) => e.errorType && e.output === null && e.rating === null)).toBe(true);
    }
    const samples = await db.prisma.outcome.findMany({ where: { isError: false }, select: { input: true, output: true, inputTokens: true, costUsd: true }, take: 20 });
    expect(samples).toHaveLength(20);
    expect(samples.every((s) => s.input && s.output?.startsWith("[simulated answer from ") && s.inputTokens! > 0 && s.costUsd! > 0)).toBe(true);
    // Late ratings arrived through /api/feedback.
    expect(await db.prisma.outcome.count({ where: { ratedAt: { not: null } } })).toBeGreaterThanOrEqual(final.feedback);
  });
});
