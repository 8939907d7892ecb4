import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actOnRollout, listRolloutReports } from "@/lib/analysis/rollout-actions";
import { createApiKey } from "@/lib/auth/api-key-service";
import type { Actor } from "@/lib/auth/actor";
import { createUser } from "@/lib/auth/user-service";
import { controlRollout, type ControllerStep } from "@/lib/controller/controller";
import { localDemoAdmin } from "@/lib/demo/local-admin";
import { watchRollouts } from "@/lib/demo/progress";
import { seedDemo, DEMO_ACTOR, type DemoSeed } from "@/lib/demo/seed";
import { DEMO_CONFIGS, demoTraffic } from "@/lib/demo/scenario";
import { createSimulator } from "@/lib/demo/simulator";
import { createConfig, getConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { listScores } from "@/lib/release/score-service";
import { createVersion, listVersions } from "@/lib/release/version-service";
import { startClientApiServer, waitFor, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// `npm run demo`'s parts against a real database: the seed through the services (twice, at
// once and again later, and after a rollout ended), the traffic simulator driving the client API
// over HTTP through the SDK until both variants of every config have traffic (with custom scores,
// some sent late), and the scored config's canary rolled back by the controller on its
// groundedness score. The database also holds a user's own configs, which the demo must leave
// exactly as they were.

const USER: Actor = { type: "user", id: "usr_ops", label: "ops@example.com", role: "admin", scopes: [] };
const [supportDemo, docsDemo] = DEMO_CONFIGS;
const POLICY = "demo-policy-answers";

let db: TestDatabase;
let srv: ClientApiServer;
let seed: DemoSeed;
let userConfigIds: string[];
let userRowsBefore: Record<string, string[]>;

beforeAll(async () => {
  db = await createTestDatabase();
  // The keys a user picks first (the README's and the empty state's example): `support-chat`
  // with a running canary and real outcomes, `doc-search` whose last rollout ended.
  const chat = await userConfig(db, "support-chat", "Support chat", "A user's own support assistant.");
  const docs = await userConfig(db, "doc-search", "Docs search answers", "A user's own docs search.");
  await actOnRollout(db.prisma, USER, docs.rolloutId, "rollback", { reason: "the user's canary was worse" });
  await sendUserTraffic(db, "support-chat");
  userConfigIds = [chat.configId, docs.configId];
  userRowsBefore = await rowsOf(db, userConfigIds);
  expect(userRowsBefore.versions).toHaveLength(4);
  expect(userRowsBefore.rollouts).toHaveLength(2);
  expect(userRowsBefore.outcomes.length).toBeGreaterThan(0);
}, 30_000);
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

describe("seedDemo", () => {
  it("seeds each demo config with a stable version and a running canary, idempotently even when run twice at once", async () => {
    const [first, second] = await Promise.all([seedDemo(localDemoAdmin(db.prisma)), seedDemo(localDemoAdmin(db.prisma))]);
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

    // The scored config's two scores, defined once though both seeds tried; its rollout copied the guardrail's threshold.
    const scores = await listScores(db.prisma, POLICY);
    expect(scores.map((s) => [s.key, s.kind, s.guardrail, s.threshold])).toEqual([
      ["groundedness", "numeric", true, { form: "difference", value: 0.05 }],
      ["valid_json", "boolean", false, { form: "difference", value: 0.02 }],
    ]);
    expect(first.configs.find((c) => c.key === POLICY)!.rollout.thresholds.scores).toEqual({ groundedness: { form: "difference", value: 0.05 } });
    expect((await getConfig(db.prisma, "demo-support-chat")).activeRollout!.thresholds.scores).toEqual({});

    seed = await seedDemo(localDemoAdmin(db.prisma));
    expect(seed.configs.map((c) => [c.key, c.action, c.rollout.id])).toEqual(first.configs.map((c) => [c.key, "continued", c.rollout.id]));
    expect(new Set([first.apiKey, second.apiKey, seed.apiKey]).size).toBe(3);
  });

  it("starts a new canary, on top of the stable version, where the last rollout ended", async () => {
    const ended = seed.configs.find((c) => c.key === "demo-doc-search")!.rollout;
    const watcher = watchRollouts(localDemoAdmin(db.prisma), seed.configs.map((c) => ({ key: c.key, rolloutId: c.rollout.id })));
    expect(await watcher.changes()).toEqual([]);
    await actOnRollout(db.prisma, DEMO_ACTOR, ended.id, "rollback", { reason: "test: the canary ended" });
    const [line, ...more] = await watcher.changes();
    expect(more).toEqual([]);
    expect(line).toMatch(/^demo-doc-search: ROLLED BACK, \d+ s into the demo; everyone is on v1 again\. test: the canary ended$/);
    expect(watcher.allEnded()).toBe(false);

    const again = await seedDemo(localDemoAdmin(db.prisma));
    const [chat, docs, policy] = again.configs;
    expect(policy).toMatchObject({ key: POLICY, action: "continued", rollout: { id: seed.configs[2].rollout.id } });
    expect(chat).toMatchObject({ key: "demo-support-chat", action: "continued", rollout: { id: seed.configs[0].rollout.id } });
    expect(docs).toMatchObject({ key: "demo-doc-search", action: "started", rollout: { status: "running", baseVersion: ended.baseVersion } });
    expect(docs.rollout.id).not.toBe(ended.id);
    const versions = await listVersions(db.prisma, "demo-doc-search");
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
      // Faster than the demo (30 requests/s a config, 90 in all: enough in a few seconds without
      // crowding the two cores the other test files share), with late ratings soon after their requests.
      traffic: demoTraffic().map((t) => ({ ...t, requestsPerSecond: 30 })),
      feedbackDelayMs: { min: 50, max: 300 },
      seed: 7,
    });
    simulator.start();
    expect(simulator.running).toBe(true);
    const enough = () => {
      const { byConfig, feedback, lateScores } = simulator.counters();
      return feedback >= 3 && lateScores >= 20 && Object.values(byConfig).every((c) => c.stable >= 20 && c.canary >= 5);
    };
    await waitFor(async () => enough(), 25_000).catch((error: Error) => {
      throw new Error(`${error.message}; counters then: ${JSON.stringify(simulator.counters())}`);
    });
    const final = await simulator.stop();
    expect(simulator.running).toBe(false);

    expect(final.failed).toBe(0);
    expect(final.lastError).toBeNull();
    expect(final.reported).toBe(final.sent);
    // stop() flushed the SDK's buffer: every reported outcome is stored.
    expect(final.delivery).toMatchObject({ buffered: 0, inFlight: 0, failed: 0, dropped: 0, delivered: final.reported });
    expect(final.scoreDelivery).toMatchObject({ buffered: 0, inFlight: 0, waiting: 0, failed: 0, dropped: 0, replaced: 0, delivered: final.lateScores });
    const demoConfigIds = await Promise.all(seed.configs.map(async ({ key }) => (await getConfig(db.prisma, key)).config.id));
    const demoOutcomes = { configId: { in: demoConfigIds } };
    expect(await db.prisma.outcome.count({ where: demoOutcomes })).toBe(final.reported);

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
    const samples = await db.prisma.outcome.findMany({ where: { ...demoOutcomes, isError: false }, select: { input: true, output: true, inputTokens: true, costUsd: true }, take: 20 });
    expect(samples).toHaveLength(20);
    expect(samples.every((s) => s.input && s.output?.startsWith("[simulated answer from ") && s.inputTokens! > 0 && s.costUsd! > 0)).toBe(true);
    // Late ratings arrived through /api/feedback.
    expect(await db.prisma.outcome.count({ where: { ...demoOutcomes, ratedAt: { not: null } } })).toBeGreaterThanOrEqual(final.feedback);

    // The scored config's scores: valid_json with every successful outcome, groundedness late
    // through /api/scores (the only late scores the demo sends); the other configs have none.
    const scored = await db.query<{ config: string; key: string; n: string; failed: string; min: number; max: number }>(
      `SELECT c.key AS config, s.score_key AS key, count(*) AS n, count(*) FILTER (WHERE o.is_error) AS failed,
              min(s.value) AS min, max(s.value) AS max
       FROM outcome_scores s JOIN outcomes o ON o.id = s.outcome_id JOIN configs c ON c.id = o.config_id
       WHERE c.key LIKE 'demo-%' GROUP BY 1, 2 ORDER BY 1, 2`,
      [],
    );
    const policyId = (await getConfig(db.prisma, POLICY)).config.id;
    const answered = await db.prisma.outcome.count({ where: { configId: policyId, isError: false } });
    expect(scored.map((r) => [r.config, r.key, Number(r.n), Number(r.failed)])).toEqual([
      [POLICY, "groundedness", final.lateScores, 0],
      [POLICY, "valid_json", answered, 0],
    ]);
    expect([scored[0].min, scored[0].max].every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});

describe("the scored config", () => {
  it("is rolled back by the controller on its groundedness score, the score's verdict sentence the reason, while no built-in fails", async () => {
    // A fresh canary, judged only on the traffic below: the one running has earlier tests' outcomes.
    const running = (await seedDemo(localDemoAdmin(db.prisma))).configs.find((c) => c.key === POLICY)!.rollout;
    await actOnRollout(db.prisma, DEMO_ACTOR, running.id, "rollback", { reason: "test: a fresh canary" });
    const reseeded = await seedDemo(localDemoAdmin(db.prisma));
    const fresh = reseeded.configs.find((c) => c.key === POLICY)!;
    expect(fresh).toMatchObject({ action: "started", rollout: { status: "running", percent: 10, thresholds: { scores: { groundedness: { form: "difference", value: 0.05 } } } } });
    const rollout = fresh.rollout;
    const watcher = watchRollouts(localDemoAdmin(db.prisma), [{ key: POLICY, rolloutId: rollout.id }]);
    await watcher.changes();

    const server = await startClientApiServer(db);
    // The demo's own profiles, faster (60 requests/s) and with the evaluator's late scores 50-300 ms after their requests.
    const traffic = demoTraffic().filter((t) => t.config === POLICY).map((t) => ({ ...t, requestsPerSecond: 60 }));
    const simulator = createSimulator({ baseUrl: server.baseUrl, apiKey: reseeded.apiKey, traffic, feedbackDelayMs: { min: 50, max: 300 }, seed: 5 });
    let rollback: ControllerStep | null = null;
    let final: Awaited<ReturnType<typeof simulator.stop>> | null = null;
    try {
      simulator.start();
      // What the controller loop does for a rollout whose outcomes keep arriving: judge it and act, at most once a second.
      await waitFor(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const step = await controlRollout(db.prisma, rollout.id);
        if (step?.action === "rollback") rollback = step;
        return rollback !== null;
      }, 30_000);
    } finally {
      // Stopped either way; checked only after a rollback, so a timeout is the error reported.
      final = await simulator.stop();
      await server.close();
    }
    expect(final.failed).toBe(0);
    expect(final.lateScores).toBeGreaterThan(0);

    const ended = await db.prisma.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
    expect(ended.status).toBe("rolled_back");
    // The report the controller acted on (kept with the rollback): groundedness failed, alone.
    const { reports } = await listRolloutReports(db.prisma, rollout.id);
    const acted = reports.find((r) => r.event === "rollback")!;
    expect(acted.actor).toBe("controller");
    const verdicts = acted.report.verdicts;
    expect(verdicts.filter((v) => v.status === "fail").map((v) => v.key)).toEqual(["groundedness"]);
    expect(verdicts.map((v) => v.key)).not.toContain("valid_json"); // tracked, not judged
    const grounded = verdicts.find((v) => v.key === "groundedness")!;
    expect(grounded.sentence).toMatch(
      /^canary Groundedness 0\.\d{3} \(\d+ scored\) vs stable 0\.\d{3} \([\d,]+\): 0\.\d{3} lower, past the 0\.05 allowed; the evidence for 'worse by the allowed drop' over 'no worse' is (over )?[\d,]+ : 1, past the 400 : 1 that rolls back$/,
    );
    expect(grounded.samples.canary).toBeGreaterThanOrEqual(30);
    // The score's sentence is the reason: the rollout's, the controller's, and what `npm run demo` prints.
    expect(rollback!.reason).toBe(grounded.sentence);
    expect(ended.endReason).toBe(`Automatic rollback: ${grounded.sentence}`);
    expect(await watcher.changes()).toEqual([
      expect.stringMatching(new RegExp(`^${POLICY}: ROLLED BACK, \\d+ s into the demo; everyone is on ${rollout.baseVersion.label} again\\. Automatic rollback: canary Groundedness `)),
    ]);
  });
});

describe("the user's own configs", () => {
  it("are left exactly as they were by the demo's seeds, reruns and traffic: config rows, versions, rollouts, outcomes, rollups, audit", async () => {
    // On its own (not only after the tests above): seed once more and send the demo's traffic.
    const rerun = await seedDemo(localDemoAdmin(db.prisma));
    const server = await startClientApiServer(db);
    try {
      const traffic = demoTraffic().map((t) => ({ ...t, requestsPerSecond: 60 }));
      const simulator = createSimulator({ baseUrl: server.baseUrl, apiKey: rerun.apiKey, traffic, seed: 11 });
      simulator.start();
      await waitFor(async () => Object.values(simulator.counters().byConfig).every((c) => c.sent >= 30), 20_000);
      await simulator.stop();
    } finally {
      await server.close();
    }
    expect(await rowsOf(db, userConfigIds)).toEqual(userRowsBefore);
    expect(rerun.configs.map((c) => c.key)).toEqual(["demo-support-chat", "demo-doc-search", POLICY]);
  });

  it("are refused under a demo key, even named and described like the demo's, before the demo writes anything", async () => {
    const own = await createTestDatabase();
    try {
      // What a user could type: the demo's key, name and description, by hand.
      await userConfig(own, docsDemo.key, docsDemo.name, docsDemo.description);
      const before = await rowsOf(own);
      const refusal = await seedDemo(localDemoAdmin(own.prisma)).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(Error);
      const said = (refusal as Error).message;
      expect(said).toMatch(/^The config `demo-doc-search` already exists and the demo did not create it \(ops@example\.com created it on \d{4}-\d\d-\d\d\)\. /);
      expect(said).toContain("Run the demo on a data directory of its own, e.g. `LLM_CANARY_DATA_DIR=.demo-data npm run demo`");
      // Nothing at all: not the other demo config (listed first), not an API key, not an audit event.
      expect(await rowsOf(own)).toEqual(before);
      expect(before.configs).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});

/** A user's config with two versions and a canary of the second running, as the admin API would make them. */
async function userConfig(target: TestDatabase, key: string, name: string, description: string) {
  const config = await createConfig(target.prisma, USER, { key, name, description });
  const v1 = await createVersion(target.prisma, USER, key, { label: "v1", ...supportDemo.stable });
  const v2 = await createVersion(target.prisma, USER, key, { label: "v2", ...supportDemo.stable, temperature: 0.2, parentVersionId: v1.id });
  const stages = [{ percent: 50, minDurationSec: 3600, minSamples: 100 }, { percent: 100, minDurationSec: 3600, minSamples: 100 }];
  const rollout = await startRollout(target.prisma, USER, key, { canaryVersionId: v2.id, stages });
  return { configId: config.id, rolloutId: rollout.id };
}

/** Real outcomes (and late ratings) for a user's config, through the client API with the user's own key. */
async function sendUserTraffic(target: TestDatabase, key: string): Promise<void> {
  const server = await startClientApiServer(target);
  try {
    const cli: Actor = { type: "system", id: null, label: "cli", scopes: [] };
    const { user } = await createUser(target.prisma, cli, { email: USER.label, role: "admin" });
    const owner: Actor = { type: "user", id: user.id, label: USER.label, role: "admin", scopes: [] };
    const { key: apiKey } = await createApiKey(target.prisma, owner, { name: "ops app", scopes: ["route", "metrics"] });
    const traffic = [{ ...supportDemo.traffic, config: key, requestsPerSecond: 60 }];
    const simulator = createSimulator({ baseUrl: server.baseUrl, apiKey, traffic, feedbackDelayMs: { min: 20, max: 100 }, seed: 3 });
    simulator.start();
    await waitFor(async () => {
      const { byConfig, feedback } = simulator.counters();
      return feedback >= 1 && byConfig[key].stable >= 10 && byConfig[key].canary >= 10;
    }, 20_000);
    const final = await simulator.stop();
    expect(final.failed).toBe(0);
  } finally {
    await server.close();
  }
}

/**
 * Every row, as JSON text, sorted per table: of every table, or with `configIds`, the rows of
 * those configs (the config rows and those of each table with a `config_id` column).
 */
async function rowsOf(target: TestDatabase, configIds?: string[]): Promise<Record<string, string[]>> {
  const tables = await target.query<{ table_name: string; has_config_id: boolean }>(
    `SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns c
       WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = 'config_id') AS has_config_id
     FROM information_schema.tables t WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY t.table_name`,
    [],
  );
  const rows: Record<string, string[]> = {};
  for (const { table_name: table, has_config_id: hasConfigId } of tables) {
    const column = table === "configs" ? "id" : hasConfigId ? "config_id" : null;
    if (configIds && !column) continue;
    const where = configIds ? ` WHERE x."${column}" = ANY($1::text[])` : "";
    const sql = `SELECT to_jsonb(x)::text AS row FROM "${table}" x${where} ORDER BY 1`;
    const found = await target.query<{ row: string }>(sql, configIds ? [configIds] : []);
    rows[table] = found.map((r) => r.row);
  }
  return rows;
}
