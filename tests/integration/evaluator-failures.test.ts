import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabase } from "@/lib/db/client";
import { createEvaluationWorker } from "@/lib/evaluators/worker";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, waitFor, type ClientApiServer } from "../helpers/client-api-server";
import { chatRequests, connectTo, echoJudge, evaluatorCalls, providerKey } from "../helpers/evaluator-fixture";
import { startProviderProcess, type ProviderProcess } from "../helpers/openai-compatible-process";
import { configWithVersions, groundedness, scoreCalls } from "../helpers/score-api";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// An evaluator whose provider fails: each evaluation is tried again after a backoff, at most
// maxAttempts times; after five failures in a row the connection's breaker opens and no call
// goes to it until the cooldown is over, then one trial. Ingest and routing answer while a call
// to a provider that hangs is in flight. Nothing logged or stored holds the connection's key.

const KEY = providerKey();
const HOUR = 3_600_000;
let db: TestDatabase;
let srv: ClientApiServer;
let provider: ProviderProcess;
let admin: string;
let metricsKey: string;
let routeKey: string;
const logged: string[] = [];

beforeAll(async () => {
  process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  db = await createTestDatabase();
  setDatabase(db);
  admin = await adminKey(db.prisma, ["admin"]);
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  routeKey = await adminKey(db.prisma, ["route"]);
  srv = await startClientApiServer(db);
  provider = await startProviderProcess({ apiKey: KEY });
});
afterAll(async () => {
  await provider?.stop();
  await srv?.close();
  await db?.close();
});

async function configWithEvaluator(key: string, headers: Record<string, string>) {
  const { v2 } = await configWithVersions(db.prisma, key);
  expect((await scoreCalls(admin).create(key, groundedness)).status).toBe(201);
  const providerId = await connectTo(db.prisma, provider, `${key}-provider`, KEY, headers);
  const made = await evaluatorCalls(admin).create(key, echoJudge("groundedness", providerId));
  expect(made.status).toBe(201);
  await srv.api.store.reload();
  const stableId = (await db.prisma.config.findUniqueOrThrow({ where: { key } })).stableVersionId!;
  return { providerId, evaluatorId: made.body.id as string, stableId, v2 };
}

const outcomes = (key: string, versionId: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ requestId: `${key}-${from + i}`, config: key, versionId, isError: false, latencyMs: 500, input: "q", output: "0.5" }));

describe("an evaluator whose provider fails", () => {
  it("retries within its limits, opens its breaker, and gives up after maxAttempts", async () => {
    const { providerId, evaluatorId, stableId } = await configWithEvaluator("failing", { "x-test-status": "503" });
    expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events: outcomes("failing", stableId, 6) } })).status).toBe(202);
    const worker = createEvaluationWorker(db, { concurrency: 2, perMinute: 1000, maxAttempts: 3, log: (m) => logged.push(m) });
    const calls = async () => (await chatRequests(provider)).length;
    const breaker = () => worker.connections().find((c) => c.providerId === providerId)!;
    // The passes' clock runs ahead of the wall clock, past each retry's backoff.
    const t0 = Date.now() + 10_000;
    const at = (ms: number) => new Date(t0 + ms);

    expect(await worker.runOnce(at(0))).toEqual({ queued: 6, started: 2 }); // concurrency 2
    expect(await worker.runOnce(at(HOUR))).toMatchObject({ started: 2 }); // 4 failures in a row
    expect(breaker().breaker).toBe("closed");
    expect(await worker.runOnce(at(2 * HOUR))).toMatchObject({ started: 2 }); // the 5th opens it
    expect(breaker().breaker).toBe("open");
    expect(breaker().reopensAt).toEqual(at(2 * HOUR + 30_000));
    expect(logged.some((line) => line.includes(`connection ${providerId} keeps failing`) && line.includes("circuit breaker open"))).toBe(true);
    expect(await calls()).toBe(6);

    // Open: due work waits, nothing is called.
    expect(await worker.runOnce(at(2 * HOUR + 29_000))).toMatchObject({ started: 0 });
    expect(await calls()).toBe(6);
    // After the cooldown one trial; it fails, and the breaker stays open twice as long.
    expect(await worker.runOnce(at(2 * HOUR + 30_000))).toMatchObject({ started: 1 });
    expect(breaker()).toMatchObject({ breaker: "open", reopensAt: at(2 * HOUR + 30_000 + 60_000) });
    expect(await calls()).toBe(7);

    // Trials until every evaluation has used its three attempts: 6 × 3 calls, never more.
    for (let step = 1; step <= 40 && (await db.prisma.evaluation.count({ where: { status: "pending" } })) > 0; step++) {
      await worker.runOnce(at(3 * HOUR + step * HOUR));
    }
    const rows = await db.prisma.evaluation.findMany({ where: { evaluatorId } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array.from({ length: 6 }, () => ["failed", 3]));
    expect(await calls()).toBe(18);
    expect(rows[0].error).toBe("The endpoint answered HTTP 503: Forced status 503 (x-test-status).");
    expect(rows.every((r) => r.score === null && r.finishedAt !== null)).toBe(true);
    expect(await db.prisma.outcomeScore.count()).toBe(0);
    expect(rows.map((r) => r.error).join("\n")).not.toContain(KEY);
    expect(logged.join("\n")).not.toContain(KEY);
  });

  it("never blocks ingest or routing while a call hangs, and hands the call back when stopped", async () => {
    const { providerId, stableId } = await configWithEvaluator("hanging", { "x-test-status": "503", "x-test-delay-ms": "120000" });
    expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events: outcomes("hanging", stableId, 1) } })).status).toBe(202);
    const before = await chatRequests(provider);
    const worker = createEvaluationWorker(db, { concurrency: 1, timeoutMs: 120_000 });
    const pass = worker.runOnce(new Date(Date.now() + 10_000));
    // The provider has the request and holds it.
    await waitFor(async () => (await chatRequests(provider)).length > before.length, 30_000);
    expect(worker.connections().find((c) => c.providerId === providerId)?.inFlight).toBe(1);

    const ingest = await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events: outcomes("hanging", stableId, 50, 1) } });
    expect(ingest.status).toBe(202);
    expect(ingest.body).toEqual({ accepted: 50, duplicates: 0 });
    const routed = await send(srv.baseUrl, "/api/route?config=hanging&userId=u-1", { auth: routeKey });
    expect(routed.status).toBe(200);
    expect(routed.body.versionId).toBe(stableId);
    // Still in flight after both answered: neither waited for it.
    expect(worker.connections().find((c) => c.providerId === providerId)?.inFlight).toBe(1);

    await worker.stop();
    await pass;
    const [row] = await db.prisma.evaluation.findMany({ where: { configId: (await db.prisma.config.findUniqueOrThrow({ where: { key: "hanging" } })).id } });
    // Handed back, not failed: the next pass (here or on another instance) tries it again.
    expect(row).toMatchObject({ status: "pending", attempts: 0, error: null });
  });
});
