import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRolloutReports } from "@/lib/analysis/rollout-actions";
import type { Database } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { databaseBefore } from "../helpers/migrate-before";

// Reports kept before the metric registry named each built-in metric in a field of its own. The
// migration rewrites them into the per-key shape the API answers today.

const MIGRATION = "20261207031000_report_metrics_by_key";

const interval = (value: number) => ({ value, low: value * 0.9, high: value * 1.1 });
const oldSummary = (requests: number, errorRate: number) => ({
  requests,
  errorRate: interval(errorRate),
  latencyMs: { p50: interval(800), p95: interval(1900), p99: interval(2600) },
  rating: { mean: interval(4.1), count: 31, distribution: [1, 2, 3, 10, 15] },
  costPerRequest: null,
});
const oldVerdict = (guardrail: string, status: string) => ({ guardrail, status, canary: 0.2, stable: 0.01, limit: 0.03, sure: 0.99, llr: 7, warning: false, samples: { canary: 200, stable: 800 }, sentence: `${guardrail} sentence` });
const OLD_REPORT = {
  rolloutId: "rol_old",
  configId: "cfg_old",
  status: "running",
  revision: 3,
  autoPromote: false,
  awaitingApproval: false,
  generatedAt: "2026-12-01T10:00:00.000Z",
  stable: oldSummary(800, 0.01),
  canary: oldSummary(200, 0.2),
  verdicts: [oldVerdict("error_rate", "fail"), oldVerdict("latency", "pass"), oldVerdict("rating", "inconclusive"), oldVerdict("cost", "inconclusive")],
  stages: [{ index: 0, percent: 1, startedAt: "2026-12-01T09:00:00.000Z", endedAt: null, stable: oldSummary(800, 0.01), canary: oldSummary(200, 0.2) }],
  stage: { index: 0, percent: 1, minDurationSec: 7200, elapsedSec: 3600, minSamples: 100, samples: 200, last: false },
  recommendation: { action: "rollback", reason: "error_rate sentence" },
};

let db: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ db, drop } = await databaseBefore(MIGRATION));
  await db.query(`INSERT INTO configs (id, key, name, updated_at) VALUES ('cfg_old', 'old', 'Old', now())`, []);
  for (const id of ["ver_a", "ver_b"]) {
    await db.query(`INSERT INTO versions (id, config_id, label, model, system_prompt, temperature, top_p, max_tokens, author_label) VALUES ($1, 'cfg_old', $1, 'gpt-4o', 'Be brief.', 0.5, 1, 64, 'someone')`, [id]);
  }
  await db.query(
    `INSERT INTO rollouts (id, config_id, canary_version_id, base_version_id, status, stages, stage_started_at, salt, thresholds, started_by, updated_at)
     VALUES ('rol_old', 'cfg_old', 'ver_b', 'ver_a', 'running', '[]', now(), 's', '{}', 'someone', now())`,
    [],
  );
  await db.query(`INSERT INTO rollout_reports (rollout_id, event, stage, actor, report) VALUES ('rol_old', 'rollback', 0, 'someone', $1)`, [JSON.stringify(OLD_REPORT)]);
  expect(await applyMigrations(db)).toContain(MIGRATION);
});
afterAll(async () => {
  await drop?.();
});

describe("the report-metrics migration", () => {
  it("rewrites kept reports into metrics by key, and the API reads them", async () => {
    const { reports } = await listRolloutReports(db.prisma, "rol_old");
    const [kept] = reports;
    const report = kept.report;
    expect(report.metrics.map((m) => m.key)).toEqual(["error_rate", "latency", "rating", "cost"]);
    expect(report.verdicts.map((v) => [v.key, v.label, v.status])).toEqual([
      ["error_rate", "Error rate", "fail"],
      ["latency", "p95 latency", "pass"],
      ["rating", "Mean rating", "inconclusive"],
      ["cost", "Cost per request", "inconclusive"],
    ]);
    expect(report.canary).toEqual({
      requests: 200,
      metrics: {
        error_rate: { value: interval(0.2), count: 200 },
        latency: { value: interval(1900), count: 200, quantiles: { p50: interval(800), p95: interval(1900), p99: interval(2600) } },
        rating: { value: interval(4.1), count: 31, distribution: [1, 2, 3, 10, 15] },
        cost: { value: null, count: null },
      },
    });
    expect(report.stages[0].stable.metrics.error_rate.value).toEqual(interval(0.01));
    expect(report.recommendation).toEqual(OLD_REPORT.recommendation);
  });
});
