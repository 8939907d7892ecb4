import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as report from "@/app/api/admin/rollouts/[id]/report/route";
import * as series from "@/app/api/admin/rollouts/[id]/series/route";
import { chartsFor } from "@/lib/analysis/chart-series";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { BUILT_IN_METRICS, THRESHOLD_FIELDS } from "@/lib/guardrails/registry";
import { createConfig } from "@/lib/release/config-service";
import { StartRolloutInput } from "@/lib/release/rollout-schemas";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The metric registry is the one list of built-in metrics: one more entry (here a fake "slow
// tokens" built-in, summed from existing rollup columns) reaches the thresholds schema, the judge,
// the report's metrics, statistics and verdicts, the series and the charts, with nothing else edited.

vi.mock("@/lib/guardrails/registry", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/guardrails/registry")>();
  const fake = {
    ...real.BUILT_IN_METRICS[0],
    key: "token_share",
    label: "Token share",
    noun: "token share",
    badge: "Tokens",
    description: "A fake built-in for this test: the share of requests that reported tokens.",
    direction: "higher_is_better" as const,
    rule: { form: "difference" as const, field: "maxTokenShareDrop" },
    thresholds: [{ name: "maxTokenShareDrop", label: "Max token-share drop", form: "difference" as const, default: 0.1, above: 0, max: 1, hint: "0-1" }],
    rollup: { sums: { n: "count", sum: "token_count", sqSum: "token_count" } },
  };
  return { ...real, BUILT_IN_METRICS: [...real.BUILT_IN_METRICS, fake], THRESHOLD_FIELDS: [...real.THRESHOLD_FIELDS, ...fake.thresholds] };
});

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `${label}.`, temperature: 0.5, maxTokens: 64 });

let db: TestDatabase;
let srv: ClientApiServer;
let admin: string;
let metricsKey: string;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  admin = await adminKey(db.prisma, ["admin"]);
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

describe("one more entry in the metric registry", () => {
  it("is a threshold of the start request, judged, reported and charted", async () => {
    expect(BUILT_IN_METRICS.map((m) => m.key)).toContain("token_share");
    expect(THRESHOLD_FIELDS.map((f) => f.name)).toContain("maxTokenShareDrop");
    expect(StartRolloutInput.parse({ canaryVersionId: "v" }).thresholds).toMatchObject({ maxTokenShareDrop: 0.1 });

    await createConfig(db.prisma, system, { key: "fake-metric", name: "fake" });
    const stable = await createVersion(db.prisma, system, "fake-metric", version("v1"));
    const next = await createVersion(db.prisma, system, "fake-metric", version("v2"));
    const rollout = await startRollout(db.prisma, system, "fake-metric", { canaryVersionId: next.id });
    expect(rollout.thresholds).toMatchObject({ maxTokenShareDrop: 0.1 });
    await srv.api.store.reload();
    // Stable reports tokens on every request, the canary on none: the fake metric fails.
    const events = Array.from({ length: 1000 }, (_, i) => {
      const canary = i % 5 === 0;
      return { requestId: `f-${i}`, config: "fake-metric", versionId: canary ? next.id : stable.id, rolloutId: rollout.id, isError: false, latencyMs: 500, ...(canary ? {} : { inputTokens: 100 }) };
    });
    expect((await send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events } })).status).toBe(202);

    const res = await call(report.GET, "GET", { auth: admin, params: { id: rollout.id } });
    expect(res.status).toBe(200);
    expect(res.body.metrics.find((m: { key: string }) => m.key === "token_share")).toMatchObject({ label: "Token share", guardrail: true, source: "built_in" });
    expect(res.body.stable.metrics.token_share).toMatchObject({ count: 800, value: { value: 1 } });
    expect(res.body.canary.metrics.token_share).toMatchObject({ count: 200, value: { value: 0 } });
    const verdict = res.body.verdicts.find((v: { key: string }) => v.key === "token_share");
    expect(verdict).toMatchObject({ status: "fail", label: "Token share" });
    expect(verdict.sentence).toMatch(/^canary token share 0\.0% \(0 of 200\) vs stable 100\.0% \(800 of 800\): 100 points lower, past the 10 points allowed/);
    expect(res.body.recommendation.action).toBe("rollback");

    const chart = await call(series.GET, "GET", { auth: admin, params: { id: rollout.id } });
    expect(chart.body.points.some((p: { canary: { metrics: Record<string, unknown> } }) => "token_share" in p.canary.metrics)).toBe(true);
    expect(chartsFor(res.body.metrics).map((c) => c.id)).toContain("token_share");
  });
});
