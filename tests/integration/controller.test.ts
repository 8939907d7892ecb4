import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { controlAll } from "@/lib/controller/controller";
import { startController } from "@/lib/controller/loop";
import { openDatabase } from "@/lib/db/client";
import { startClientApi } from "@/lib/hot/client-api";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send, waitFor } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// The controller acts on what the report recommends, as the actor `controller`: rolls back a
// failing canary with the numbers as its reason, advances finished stages, and at 100 % promotes
// or waits for a person. Outcomes stored through the client API make it judge at once.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `${label}.`, temperature: 0.5, maxTokens: 64 });
const QUICK = [{ percent: 10, minDurationSec: 0, minSamples: 50 }, { percent: 100, minDurationSec: 0, minSamples: 50 }];

let db: TestDatabase;
let metricsKey: string;
let server: Server;
let baseUrl: string;
const poked: string[][] = [];
let api: Awaited<ReturnType<typeof startClientApi>>;
let pokeTarget: ((ids: readonly string[]) => void) | null = null;

beforeAll(async () => {
  db = await createTestDatabase();
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  api = await startClientApi(db, { log: () => undefined, onIngested: (ids) => (poked.push([...ids]), pokeTarget?.(ids)) });
  server = createServer((req, res) => void (api.handle(req, res) || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await api?.stop();
  await db?.close();
});

async function rolloutWithTraffic(key: string, canaryErrorRate: number, extra: Record<string, unknown> = {}) {
  await createConfig(db.prisma, system, { key, name: key });
  const stable = await createVersion(db.prisma, system, key, version("v1"));
  const next = await createVersion(db.prisma, system, key, version("v2"));
  const rollout = await startRollout(db.prisma, system, key, { canaryVersionId: next.id, stages: QUICK, ...extra });
  await api.store.reload();
  const events = Array.from({ length: 1000 }, (_, i) => {
    const isCanary = i % 5 === 0;
    return {
      requestId: `${key}-${i}`,
      config: key,
      versionId: isCanary ? next.id : stable.id,
      rolloutId: rollout.id,
      isError: (i * 7919) % 1000 < (isCanary ? canaryErrorRate : 0.01) * 1000,
      latencyMs: 800 + ((i * 37) % 800),
    };
  });
  expect((await send(baseUrl, "/api/metrics", { auth: metricsKey, body: { events } })).status).toBe(202);
  return rollout.id;
}

const rolloutRow = (id: string) => db.prisma.rollout.findUniqueOrThrow({ where: { id } });

describe("the controller", () => {
  it("rolls back a failing canary as `controller`, with the numbers as the reason", async () => {
    const id = await rolloutWithTraffic("ctl-bad", 0.2);
    const steps = await controlAll(db.prisma);
    expect(steps).toContainEqual(expect.objectContaining({ rolloutId: id, action: "rollback" }));
    const row = await rolloutRow(id);
    expect(row.status).toBe("rolled_back");
    expect(row.endReason).toMatch(/^Automatic rollback: canary error rate 20\.0% \(40 of 200\) vs stable 1\.0%/);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { entityId: id, action: "rollout.rollback" } });
    expect([audit.actorType, audit.actorLabel]).toEqual(["controller", "controller"]);
    const kept = await db.prisma.rolloutReport.findFirstOrThrow({ where: { rolloutId: id } });
    expect([kept.event, kept.actor]).toEqual(["rollback", "controller"]); // the evidence it acted on
  });

  it("advances a finished stage, then waits for a person at 100 % unless the rollout promotes itself", async () => {
    const manual = await rolloutWithTraffic("ctl-manual", 0.01);
    const automatic = await rolloutWithTraffic("ctl-auto", 0.01, { autoPromote: true });
    const first = await controlAll(db.prisma);
    expect(first.filter((s) => [manual, automatic].includes(s.rolloutId)).map((s) => s.action)).toEqual(["advance", "advance"]);
    await controlAll(db.prisma);
    expect(await rolloutRow(manual)).toMatchObject({ status: "running", currentStage: 1, awaitingApproval: true });
    expect(await rolloutRow(automatic)).toMatchObject({ status: "promoted" });
    expect((await controlAll(db.prisma)).filter((s) => s.rolloutId === manual)).toEqual([]); // nothing more to do
  });

  it("warns once, in the audit log and as an alert, when a guardrail heads for a fail, and holds the stage meanwhile", async () => {
    const id = await rolloutWithTraffic("ctl-warn", 0.04);
    const steps = (await controlAll(db.prisma)).filter((s) => s.rolloutId === id);
    expect(steps).toEqual([{ rolloutId: id, action: "warning", reason: expect.stringMatching(/^canary error rate .*; the evidence for 'error rate at the allowed [\d.]+%' over 'no worse' is [\d,.]+ : 1, heading for the 400 : 1 that rolls back$/) }]);
    expect(await rolloutRow(id)).toMatchObject({ status: "running", currentStage: 0 }); // held, not advanced
    expect((await controlAll(db.prisma)).filter((s) => s.rolloutId === id)).toEqual([]); // once
    const warnings = await db.prisma.auditEvent.findMany({ where: { entityId: id, action: "rollout.judge_warning" } });
    expect(warnings.map((w) => [w.actorLabel, w.reason?.split(":")[0]])).toEqual([["controller", "error_rate"]]);
  });

  it("judges a rollout as soon as a batch of its outcomes is stored, without waiting for a tick", async () => {
    const loop = startController(db, { tickMs: 3_600_000, log: () => undefined });
    pokeTarget = (ids) => loop.poke(ids);
    try {
      const id = await rolloutWithTraffic("ctl-poked", 0.25);
      const ms = await waitFor(async () => (await rolloutRow(id)).status === "rolled_back");
      console.info(`[controller] rolled back ${ms.toFixed(0)} ms after /api/metrics accepted the batch that shows the regression`);
      expect(poked.some((ids) => ids.includes(id))).toBe(true);
    } finally {
      pokeTarget = null;
      await loop.stop();
    }
  });

  it("resumes after a restart where it was: same stage, same stage clock, and does the work that came due meanwhile", async () => {
    const HOUR = 3_600_000;
    const stages = [{ percent: 10, minDurationSec: 3600, minSamples: 50 }, { percent: 100, minDurationSec: 0, minSamples: 50 }];
    const id = await rolloutWithTraffic("ctl-restart", 0.01, { stages });
    const before = await rolloutRow(id);
    const firstLog: string[] = [];
    const first = startController(db, { tickMs: 3_600_000, log: (line) => firstLog.push(line) });
    await waitFor(async () => first.isLeader());
    await first.stop(); // the process goes away mid-stage, after one pass that had nothing to do
    expect(firstLog.filter((line) => line.includes(id))).toEqual([]);
    expect(await rolloutRow(id)).toMatchObject({ status: "running", currentStage: 0, revision: before.revision, stageStartedAt: before.stageStartedAt });

    // The stage's hour passes while no controller runs (moved in the row rather than waited for).
    const stageStartedAt = new Date(before.stageStartedAt.getTime() - HOUR);
    await db.prisma.rollout.update({ where: { id }, data: { stageStartedAt } });
    const restartedAt = new Date();
    const secondLog: string[] = [];
    const second = startController(db, { tickMs: 3_600_000, log: (line) => secondLog.push(line) });
    try {
      // Its first tick must advance the stage that came due on the clock kept from before the restart.
      await waitFor(async () => (await rolloutRow(id)).currentStage === 1);
    } finally {
      await second.stop();
    }
    const after = await rolloutRow(id);
    expect(after).toMatchObject({ status: "running", currentStage: 1, revision: before.revision + 1 });
    expect(after.stageStartedAt.getTime()).toBeGreaterThanOrEqual(restartedAt.getTime());
    expect(secondLog.filter((line) => line.includes(id))).toEqual([expect.stringMatching(new RegExp(`^controller: advance ${id}: `))]);
    const advance = await db.prisma.auditEvent.findFirstOrThrow({ where: { entityId: id, action: "rollout.advance" } });
    expect([advance.actorType, advance.at >= restartedAt]).toEqual(["controller", true]);
  });

  it("has one leader across instances, and another takes over when it goes", async () => {
    const other = await openDatabase({ url: db.url! });
    const a = startController(db, { tickMs: 200, log: () => undefined });
    const b = startController(other, { tickMs: 200, log: () => undefined });
    try {
      await waitFor(async () => a.isLeader() || b.isLeader());
      expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
      const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
      await leader.stop();
      const ms = await waitFor(async () => follower.isLeader());
      console.info(`[controller] the other instance led ${ms.toFixed(0)} ms after the leader stopped (tick 200 ms)`);
    } finally {
      await a.stop();
      await b.stop();
      await other.close();
    }
  });
});
