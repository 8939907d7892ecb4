import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as channels from "@/app/api/admin/alert-channels/route";
import * as report from "@/app/api/admin/rollouts/[id]/report/route";
import * as series from "@/app/api/admin/rollouts/[id]/series/route";
import { deliverDue } from "@/lib/alerts/dispatch";
import { controlAll } from "@/lib/controller/controller";
import { setDatabase } from "@/lib/db/client";
import { adminKey, call } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { configWithVersions, groundedness, scoreCalls, validJson } from "../helpers/score-api";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

// Custom scores as guardrails from end to end: two scores defined through the admin API, a canary
// started, outcomes sent with scores and late scores over HTTP; the report lists the scores beside
// the built-ins with verdicts and statistics, the series charts them, and the controller rolls
// back on a score regression the ratings do not show, with the verdict's sentence as the reason
// and the alert at a real local webhook receiver.

const QUICK = [{ percent: 10, minDurationSec: 3600, minSamples: 50 }, { percent: 100, minDurationSec: 0, minSamples: 50 }];

let db: TestDatabase;
let srv: ClientApiServer;
let admin: string;
let metricsKey: string;
let hook: WebhookReceiver;

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  admin = await adminKey(db.prisma, ["admin"]);
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  srv = await startClientApiServer(db);
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  hook?.close();
  await srv?.close();
  await db?.close();
});

describe("custom scores as guardrails", () => {
  it("are judged, reported and charted beside the built-ins, and a score regression rolls the canary back with an alert", async () => {
    const scores = scoreCalls(admin);
    const { v2 } = await configWithVersions(db.prisma, "grounded-chat");
    expect((await scores.create("grounded-chat", { ...groundedness, threshold: { form: "difference", value: 0.03 } })).status).toBe(201);
    expect((await scores.create("grounded-chat", { ...validJson, guardrail: false })).status).toBe(201); // tracked
    const channel = await call(channels.POST, "POST", { auth: admin, body: { name: "ops", kind: "webhook", url: `${hook.url}/hook` } });
    expect(channel.status).toBe(201);
    const started = await scores.start("grounded-chat", { canaryVersionId: v2.id, stages: QUICK });
    expect(started.status).toBe(201);
    const rollout = started.body;
    expect(rollout.thresholds.scores).toEqual({ groundedness: { form: "difference", value: 0.03 } });
    await srv.api.store.reload();

    // 1,000 requests, a fifth on the canary, the same ratings on both: only groundedness differs
    // (canary 0.76 against 0.86); valid_json is tracked. Every tenth request's scores come late.
    const stableId = (await db.prisma.config.findUniqueOrThrow({ where: { key: "grounded-chat" } })).stableVersionId!;
    const grounded = (i: number, canary: boolean) => (canary ? 0.76 : 0.86) + ((i * 7) % 11 - 5) / 50;
    const events = Array.from({ length: 1000 }, (_, i) => {
      const canary = i % 5 === 0;
      const late = i % 10 === 3;
      return {
        requestId: `g-${i}`,
        config: "grounded-chat",
        versionId: canary ? v2.id : stableId,
        rolloutId: rollout.id,
        isError: false,
        latencyMs: 800 + ((i * 37) % 400),
        rating: i % 4 === 0 ? 4 : undefined,
        ...(late ? {} : { scores: { groundedness: grounded(i, canary), valid_json: i % 9 !== 0 } }),
      };
    });
    expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events } })).status).toBe(202);
    const lateScores = events.filter((e) => !("scores" in e)).map((e, j) => ({ requestId: e.requestId, scores: { groundedness: grounded(Number(e.requestId.slice(2)), e.versionId === v2.id), valid_json: j % 2 === 0 } }));
    const late = await send(srv.baseUrl, "/api/scores", { auth: metricsKey, body: { events: lateScores } });
    expect(late.status).toBe(202);
    expect(late.body).toEqual({ accepted: 200, replaced: 0 }); // score values: two per request

    const res = await call(report.GET, "GET", { auth: admin, params: { id: rollout.id } });
    expect(res.status).toBe(200);
    expect(res.body.metrics.map((m: { key: string; guardrail: boolean }) => [m.key, m.guardrail])).toEqual([
      ["error_rate", true],
      ["latency", true],
      ["rating", true],
      ["cost", true],
      ["groundedness", true],
      ["valid_json", false],
    ]);
    const verdict = res.body.verdicts.find((v: { key: string }) => v.key === "groundedness");
    expect(verdict).toMatchObject({ label: "Groundedness", status: "fail", samples: { canary: 200, stable: 800 } });
    expect(verdict.sentence).toMatch(/^canary Groundedness 0\.7\d{2} \(200 scored\) vs stable 0\.8\d{2} \(800\): 0\.\d{3} lower, past the 0\.03 allowed; the evidence for 'worse by the allowed drop' over 'no worse' is (over )?[\d,]+ : 1, past the 400 : 1 that rolls back$/);
    expect(res.body.verdicts.map((v: { key: string }) => v.key)).not.toContain("valid_json"); // tracked: not judged
    expect(res.body.verdicts.find((v: { key: string }) => v.key === "rating").status).not.toBe("fail"); // ratings alone show nothing
    expect(res.body.canary.metrics.groundedness).toMatchObject({ count: 200 });
    expect(res.body.canary.metrics.groundedness.value.value).toBeCloseTo(0.76, 1);
    expect(res.body.stable.metrics.valid_json.count).toBe(800);
    expect(res.body.recommendation).toMatchObject({ action: "rollback", reason: expect.stringContaining("canary Groundedness") });

    const chart = await call(series.GET, "GET", { auth: admin, params: { id: rollout.id } });
    const total = (variant: "stable" | "canary", key: string) => chart.body.points.reduce((n: number, p: Record<string, { metrics: Record<string, { count: number }> }>) => n + (p[variant].metrics[key]?.count ?? 0), 0);
    expect([total("canary", "groundedness"), total("stable", "groundedness"), total("stable", "valid_json")]).toEqual([200, 800, 800]);

    const steps = await controlAll(db.prisma);
    expect(steps).toContainEqual(expect.objectContaining({ rolloutId: rollout.id, action: "rollback" }));
    const row = await db.prisma.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
    expect(row.status).toBe("rolled_back");
    expect(row.endReason).toMatch(/^Automatic rollback: canary Groundedness .* past the 0\.03 allowed/);
    expect(await deliverDue(db.prisma)).toBeGreaterThanOrEqual(1); // what the dispatcher loop does
    const alert = JSON.parse(hook.received.find((r) => r.body.includes("auto_rollback"))!.body);
    expect(JSON.stringify(alert)).toContain("canary Groundedness");
  });
});
