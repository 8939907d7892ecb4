import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as channels from "@/app/api/admin/alert-channels/route";
import * as report from "@/app/api/admin/rollouts/[id]/report/route";
import { deliverDue } from "@/lib/alerts/dispatch";
import { controlAll } from "@/lib/controller/controller";
import { setDatabase } from "@/lib/db/client";
import { createEvaluationWorker } from "@/lib/evaluators/worker";
import { setPrice } from "@/lib/pricing/service";
import { adminKey, call } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { chatRequests, connectTo, echoJudge, evaluatorCalls, providerKey, system } from "../helpers/evaluator-fixture";
import { startProviderProcess, type ProviderProcess } from "../helpers/openai-compatible-process";
import { configWithVersions, groundedness, scoreCalls } from "../helpers/score-api";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

// An online evaluator from end to end: defined through the admin API, it judges the outcomes a
// canary rollout receives through the OpenAI-compatible test server (a process of its own); its
// scores go through the late-score path into the rollups, the judge fails the canary on them,
// the controller rolls it back naming the score, and the alert reaches a real local receiver.
// The evaluation log lists every evaluation with its answer, latency and cost.

const QUICK = [{ percent: 20, minDurationSec: 3600, minSamples: 50 }, { percent: 100, minDurationSec: 0, minSamples: 50 }];
const KEY = providerKey();

let db: TestDatabase;
let srv: ClientApiServer;
let provider: ProviderProcess;
let admin: string;
let metricsKey: string;
let hook: WebhookReceiver;

beforeAll(async () => {
  process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  db = await createTestDatabase();
  setDatabase(db);
  admin = await adminKey(db.prisma, ["admin"]);
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  srv = await startClientApiServer(db);
  provider = await startProviderProcess({ apiKey: KEY });
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  hook?.close();
  await provider?.stop();
  await srv?.close();
  await db?.close();
});

describe("an evaluator whose judge scores canary answers low", () => {
  it("rolls the canary back through the judge, naming the score, and the alert fires", async () => {
    const { v2 } = await configWithVersions(db.prisma, "judged-chat");
    const scores = scoreCalls(admin);
    expect((await scores.create("judged-chat", { ...groundedness, threshold: { form: "difference", value: 0.05 } })).status).toBe(201);
    const providerId = await connectTo(db.prisma, provider, "judge", KEY);
    await setPrice(db.prisma, system, { model: "test-judge", inputUsdPerMillion: 1, outputUsdPerMillion: 2 });
    const evaluators = evaluatorCalls(admin);
    const made = await evaluators.create("judged-chat", echoJudge("groundedness", providerId));
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ id: expect.stringMatching(/^evl_/), scoreKey: "groundedness", enabled: true });
    expect((await evaluators.list("judged-chat")).body.evaluators).toHaveLength(1);
    expect((await call(channels.POST, "POST", { auth: admin, body: { name: "ops", kind: "webhook", url: `${hook.url}/hook` } })).status).toBe(201);
    const started = await scores.start("judged-chat", { canaryVersionId: v2.id, stages: QUICK });
    expect(started.status).toBe(201);
    const rollout = started.body;
    await srv.api.store.reload();

    // 250 requests, a fifth on the canary, each with an output sample whose number the judge
    // reads back: canary answers about 0.55, stable ones about 0.85. No client sends a score.
    const stableId = (await db.prisma.config.findUniqueOrThrow({ where: { key: "judged-chat" } })).stableVersionId!;
    const events = Array.from({ length: 250 }, (_, i) => {
      const canary = i % 5 === 0;
      const value = (canary ? 0.55 : 0.85) + (((i * 7) % 11) - 5) / 100;
      return { requestId: `j-${i}`, config: "judged-chat", versionId: canary ? v2.id : stableId, rolloutId: rollout.id, isError: false, latencyMs: 700, input: `question ${i}`, output: value.toFixed(2) };
    });
    // Outcomes without samples cannot be evaluated: these are never chosen.
    const bare = Array.from({ length: 20 }, (_, i) => ({ requestId: `bare-${i}`, config: "judged-chat", versionId: v2.id, rolloutId: rollout.id, isError: false, latencyMs: 700 }));
    expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events: [...events, ...bare] } })).status).toBe(202);

    const worker = createEvaluationWorker(db, { concurrency: 16, perMinute: 100_000 });
    // The sampler leaves outcomes of the last two seconds for the next pass; this pass is later.
    const later = new Date(Date.now() + 10_000);
    const pass = await worker.runOnce(later);
    expect(pass.queued).toBe(250);
    while ((await worker.runOnce(later)).started > 0);
    expect(await db.prisma.evaluation.count({ where: { status: "done" } })).toBe(250);
    expect(await chatRequests(provider)).toHaveLength(250);

    // Stored as late scores are: one row per outcome, rolled up per minute.
    expect(await db.prisma.outcomeScore.count({ where: { scoreKey: "groundedness" } })).toBe(250);
    const rolled = await db.prisma.scoreRollup.aggregate({ where: { rolloutId: rollout.id, scoreKey: "groundedness" }, _sum: { count: true } });
    expect(rolled._sum.count).toBe(250);

    const res = await call(report.GET, "GET", { auth: admin, params: { id: rollout.id } });
    const verdict = res.body.verdicts.find((v: { key: string }) => v.key === "groundedness");
    expect(verdict).toMatchObject({ status: "fail", samples: { canary: 50, stable: 200 } });

    const steps = await controlAll(db.prisma);
    expect(steps).toContainEqual(expect.objectContaining({ rolloutId: rollout.id, action: "rollback" }));
    const row = await db.prisma.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
    expect(row.status).toBe("rolled_back");
    expect(row.endReason).toMatch(/^Automatic rollback: canary Groundedness 0\.5\d+ \(50 scored\) vs stable 0\.8\d+ \(200\)/);
    expect(await deliverDue(db.prisma)).toBeGreaterThanOrEqual(1);
    const alert = hook.received.find((r) => r.body.includes("auto_rollback"))?.body;
    expect(alert).toBeDefined();
    expect(alert).toContain("canary Groundedness");

    // The evaluation log: each evaluation with its score, raw answer, latency, tokens and cost.
    const log = await evaluators.log(rollout.id, { limit: "5" });
    expect(log.status).toBe(200);
    expect(log.body.evaluations).toHaveLength(5);
    const [newest] = log.body.evaluations;
    expect(newest).toMatchObject({ evaluatorName: "echo judge", scoreKey: "groundedness", status: "done", attempts: 1, error: null, inputTokens: 1, outputTokens: 2 });
    expect(newest.rawAnswer).toBe(`Echo: ${newest.score.toFixed(2)}`);
    expect(newest.latencyMs).toBeGreaterThanOrEqual(0);
    expect(newest.costUsd).toBeCloseTo((1 * 1 + 2 * 2) / 1_000_000, 12);
    expect(log.body.totals.byEvaluator).toEqual([expect.objectContaining({ done: 250, failed: 0, pending: 0 })]);
    expect(log.body.totals.costUsd).toBeCloseTo(250 * 5e-6, 9);
    const next = await evaluators.log(rollout.id, { limit: "5", cursor: log.body.nextCursor });
    expect(Number(next.body.evaluations[0].id)).toBeLessThan(Number(newest.id));
    expect((await evaluators.log(rollout.id, { status: "failed" })).body.evaluations).toEqual([]);
    // The key never shows in what was stored or answered.
    expect(JSON.stringify(log.body)).not.toContain(KEY);
  });
});

describe("what an evaluator samples", () => {
  it("outcomes that settled, and after a pause only what arrived since it was enabled again", async () => {
    const { v2 } = await configWithVersions(db.prisma, "paused-chat");
    expect((await scoreCalls(admin).create("paused-chat", groundedness)).status).toBe(201);
    const providerId = await connectTo(db.prisma, provider, "paused-judge", KEY);
    const evaluators = evaluatorCalls(admin);
    const made = await evaluators.create("paused-chat", { ...echoJudge("groundedness", providerId), enabled: false });
    expect(made.status).toBe(201);
    await srv.api.store.reload();
    const events = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ requestId: `p-${from + i}`, config: "paused-chat", versionId: v2.id, isError: false, latencyMs: 300, output: "0.5" }));
    const worker = createEvaluationWorker(db, { concurrency: 8 });
    const queued = async (now: Date) => (await worker.runOnce(now)).queued;

    expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events: events(0, 5) } })).status).toBe(202);
    expect(await queued(new Date(Date.now() + 10_000))).toBe(0); // paused
    expect((await evaluators.patch("paused-chat", made.body.id, { enabled: true })).status).toBe(200);
    expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events: events(5, 3) } })).status).toBe(202);
    // Stored a moment ago: not looked at yet.
    expect(await queued(new Date())).toBe(0);
    expect(await queued(new Date(Date.now() + 10_000))).toBe(3);
    const judged = await db.prisma.evaluation.findMany({ where: { evaluatorId: made.body.id } });
    const requestIds = await db.prisma.outcome.findMany({ where: { id: { in: judged.map((e) => e.outcomeId) } }, select: { requestId: true } });
    expect(requestIds.map((o) => o.requestId).sort()).toEqual(["p-5", "p-6", "p-7"]);
  });
});
