import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, setDatabase, type Database } from "@/lib/db/client";
import { createEvaluationWorker } from "@/lib/evaluators/worker";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { chatRequests, connectTo, echoJudge, evaluatorCalls, providerKey } from "../helpers/evaluator-fixture";
import { startProviderProcess, type ProviderProcess } from "../helpers/openai-compatible-process";
import { configWithVersions, groundedness, scoreCalls } from "../helpers/score-api";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Two instances on one database — two workers, each with its own connection pool — sampling and
// evaluating at the same time while outcomes keep arriving: every chosen outcome is evaluated
// exactly once (one call to the provider, one attempt, one score with no replaced value).

const KEY = providerKey();
let db: TestDatabase;
let second: Database;
let srv: ClientApiServer;
let provider: ProviderProcess;
let admin: string;
let metricsKey: string;

beforeAll(async () => {
  process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  db = await createTestDatabase();
  setDatabase(db);
  second = await openDatabase({ url: db.url });
  admin = await adminKey(db.prisma, ["admin"]);
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  srv = await startClientApiServer(db);
  provider = await startProviderProcess({ apiKey: KEY });
});
afterAll(async () => {
  await provider?.stop();
  await srv?.close();
  await second?.close();
  await db?.close();
});

describe("two instances evaluating on one database", () => {
  it("never evaluate the same outcome twice", async () => {
    const { v2 } = await configWithVersions(db.prisma, "shared");
    expect((await scoreCalls(admin).create("shared", groundedness)).status).toBe(201);
    const providerId = await connectTo(db.prisma, provider, "shared", KEY);
    // Two evaluators of the same score: each outcome is evaluated once per evaluator.
    const calls = evaluatorCalls(admin);
    expect((await calls.create("shared", echoJudge("groundedness", providerId))).status).toBe(201);
    expect((await calls.create("shared", { ...echoJudge("groundedness", providerId), name: "second judge", prompt: "Again: {{output}}" })).status).toBe(201);
    await srv.api.store.reload();
    const stableId = (await db.prisma.config.findUniqueOrThrow({ where: { key: "shared" } })).stableVersionId!;
    // Each output is a number of its own, so the provider's log shows which outcome each call judged.
    const batch = (from: number) =>
      Array.from({ length: 40 }, (_, k) => {
        const i = from + k;
        return { requestId: `s-${i}`, config: "shared", versionId: i % 3 === 0 ? v2.id : stableId, isError: false, latencyMs: 400, output: (0.1 + i / 1000).toFixed(3) };
      });

    const one = createEvaluationWorker(db, { concurrency: 4, perMinute: 100_000 });
    const two = createEvaluationWorker(second, { concurrency: 4, perMinute: 100_000 });
    const started = [0, 0];
    const later = () => new Date(Date.now() + 10_000);
    for (let round = 0; round < 3; round++) {
      expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events: batch(round * 40) } })).status).toBe(202);
      for (;;) {
        const [a, b] = await Promise.all([one.runOnce(later()), two.runOnce(later())]);
        started[0] += a.started;
        started[1] += b.started;
        if (a.started === 0 && b.started === 0 && (await db.prisma.evaluation.count({ where: { status: "pending" } })) === 0) break;
      }
    }

    const rows = await db.prisma.evaluation.findMany();
    expect(rows).toHaveLength(240); // 120 outcomes × 2 evaluators
    expect(rows.every((r) => r.status === "done" && r.attempts === 1)).toBe(true);
    expect(started[0] + started[1]).toBe(240);
    expect(started[0]).toBeGreaterThan(0);
    expect(started[1]).toBeGreaterThan(0);

    const prompts = (await chatRequests(provider)).map((r) => r.body.messages[0].content);
    expect(prompts).toHaveLength(240);
    expect(new Set(prompts).size).toBe(240);
    const scores = await db.prisma.outcomeScore.findMany();
    expect(scores).toHaveLength(120);
    // Each evaluator wrote each outcome's score once: the second value replaced the first, and
    // its history holds exactly that one earlier value.
    expect(scores.every((s) => Array.isArray(s.history) && s.history.length === 1)).toBe(true);
  });
});
