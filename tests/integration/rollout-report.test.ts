import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as report from "@/app/api/admin/rollouts/[id]/report/route";
import * as series from "@/app/api/admin/rollouts/[id]/series/route";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { loadRolloutStats } from "@/lib/analysis/stats-repo";
import { adminKey, call } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The report reads the rollups that /api/metrics keeps: outcomes go in over HTTP, the verdicts,
// intervals and recommendation come out of GET /api/admin/rollouts/{id}/report.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `${label}.`, temperature: 0.5, maxTokens: 64 });

let db: TestDatabase;
let srv: ClientApiServer;
let metricsKey: string;
let adminAuth: string;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  adminAuth = await adminKey(db.prisma, ["admin"]);
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

/** A config with a running rollout; `errorRate` and `latencyScale` shape the canary's outcomes. */
async function rolloutWithTraffic(key: string, canary: { errorRate: number; latencyScale: number }, stages?: unknown) {
  await createConfig(db.prisma, system, { key, name: key });
  const stable = await createVersion(db.prisma, system, key, version("v1"));
  const next = await createVersion(db.prisma, system, key, version("v2"));
  const rollout = await startRollout(db.prisma, system, key, { canaryVersionId: next.id, ...(stages ? { stages } : {}) });
  await srv.api.store.reload();
  const events = [];
  for (let i = 0; i < 1000; i++) {
    const isCanary = i % 5 === 0;
    const errorRate = isCanary ? canary.errorRate : 0.01;
    events.push({
      requestId: `${key}-${i}`,
      config: key,
      versionId: isCanary ? next.id : stable.id,
      rolloutId: rollout.id,
      isError: (i * 7919) % 1000 < errorRate * 1000,
      latencyMs: (800 + ((i * 37) % 800)) * (isCanary ? canary.latencyScale : 1),
      rating: i % 4 === 0 ? 4 : undefined,
      costUsd: 0.002,
    });
  }
  expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events } })).status).toBe(202);
  return rollout.id;
}

describe("GET /api/admin/rollouts/{id}/report", () => {
  it("fails a canary with many more errors, says why in numbers, and recommends the rollback", async () => {
    const id = await rolloutWithTraffic("bad-canary", { errorRate: 0.2, latencyScale: 1 });
    const res = await call(report.GET, "GET", { auth: adminAuth, params: { id } });
    expect(res.status).toBe(200);
    const errors = res.body.verdicts.find((v: { key: string }) => v.key === "error_rate");
    expect(errors).toMatchObject({ status: "fail", samples: { canary: 200, stable: 800 } });
    expect(errors.sentence).toMatch(/^canary error rate 20\.0% \(40 of 200\) vs stable 1\.0% \(8 of 800\): 20\.00× stable, past the [\d.]+% allowed .*, past the 400 : 1 that rolls back$/);
    expect(res.body.recommendation).toMatchObject({ action: "rollback", reason: expect.stringContaining("canary error rate 20.0%") });
    expect(res.body.canary.metrics.error_rate.value.low).toBeGreaterThan(0.14);
    expect(res.body.canary.metrics.error_rate.value.high).toBeLessThan(0.27);
    expect(res.body.stable.metrics.latency.quantiles.p50.value).toBeGreaterThan(1000);
    expect(res.body.stage).toMatchObject({ index: 0, percent: 1, samples: 200, minSamples: 100 });

    const chart = await call(series.GET, "GET", { auth: adminAuth, params: { id } });
    expect(chart.status).toBe(200);
    const total = chart.body.points.reduce((sum: number, p: { canary: { requests: number } }) => sum + p.canary.requests, 0);
    expect(total).toBe(200);
    expect(chart.body.points.at(-1).canary.metrics.error_rate.value).toBeCloseTo(0.2, 5);
  });

  it("passes a healthy canary and waits for the stage's minimum duration, then recommends advancing", async () => {
    const waiting = await rolloutWithTraffic("good-canary", { errorRate: 0.01, latencyScale: 1 });
    const res = await call(report.GET, "GET", { auth: adminAuth, params: { id: waiting } });
    expect(res.body.verdicts.map((v: { status: string }) => v.status)).not.toContain("fail");
    expect(res.body.recommendation.action).toBe("wait");
    expect(res.body.recommendation.reason).toMatch(/^Stage 1 of 6 \(1%\): \d+ s of 120 min; no guardrail fails\.$/);

    const quick = [{ percent: 10, minDurationSec: 0, minSamples: 50 }, { percent: 100, minDurationSec: 0, minSamples: 50 }];
    const ready = await rolloutWithTraffic("quick-stages", { errorRate: 0.01, latencyScale: 1 }, quick);
    const advance = await call(report.GET, "GET", { auth: adminAuth, params: { id: ready } });
    expect(advance.body.recommendation).toEqual({ action: "advance", reason: "Stage 1 of 2 (10%) is done and no guardrail fails." });
    expect((await call(report.GET, "GET", { auth: adminAuth, params: { id: "ro_missing" } })).status).toBe(404);
  });
});

describe("statistics over a span of hours", () => {
  it("add whole hours from the hourly rollups and the edge minutes from the minute rollups, matching the raw outcomes", async () => {
    const key = "hours";
    await createConfig(db.prisma, system, { key, name: key });
    const stable = await createVersion(db.prisma, system, key, version("v1"));
    const next = await createVersion(db.prisma, system, key, version("v2"));
    const rollout = await startRollout(db.prisma, system, key, { canaryVersionId: next.id });
    await srv.api.store.reload();
    const now = Date.now();
    const events = Array.from({ length: 600 }, (_, i) => ({
      requestId: `h-${i}`,
      config: key,
      versionId: i % 4 === 0 ? next.id : stable.id,
      rolloutId: rollout.id,
      isError: i % 9 === 0,
      latencyMs: 500 + i,
      at: new Date(now - 4 * 3_600_000 + i * 24_000).toISOString(), // one every 24 s over four hours
    }));
    expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events } })).status).toBe(202);
    const since = new Date(now - 3.3 * 3_600_000);
    const until = new Date(now - 0.6 * 3_600_000);
    const stats = await loadRolloutStats(db.prisma, rollout.id, new Date(0), since, until);
    const [raw] = await db.prisma.$queryRaw<{ canary: bigint; errors: bigint }[]>`
      SELECT count(*) FILTER (WHERE variant = 'canary') AS canary, count(*) FILTER (WHERE variant = 'canary' AND is_error) AS errors
      FROM outcomes WHERE rollout_id = ${rollout.id} AND date_trunc('minute', at, 'UTC') >= date_trunc('minute', ${since}::timestamptz, 'UTC') AND date_trunc('minute', at, 'UTC') <= ${until}`;
    expect([stats.canary.requests, stats.canary.sums.error_rate.n, stats.canary.sums.error_rate.sum]).toEqual([Number(raw.canary), Number(raw.canary), Number(raw.errors)]);
    expect(stats.canary.hists.latency.reduce((a, b) => a + b, 0)).toBe(Number(raw.canary));
    expect(await db.prisma.metricRollupHourly.count({ where: { rolloutId: rollout.id } })).toBeGreaterThanOrEqual(8); // 2 variants × 4-5 hours
  });
});
