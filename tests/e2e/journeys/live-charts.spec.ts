import path from "node:path";
import { createSimulator, type Simulator } from "@/lib/demo/simulator";
import type { VariantProfile } from "@/lib/demo/traffic-model";
import { E2E_BASE_URL, SCREENSHOT_DIR } from "../constants";
import { expect, seedConfig, test, uniqueKey } from "./fixtures";

const profile = (errorRate: number, medianMs: number): VariantProfile => ({
  errorRate,
  errorTypes: ["timeout", "rate_limited"],
  latency: { medianMs, sigma: 0.35 },
  ratings: [0.04, 0.06, 0.2, 0.4, 0.3],
  ratingShare: 0.3,
  lateRatingShare: 0.1,
  tokens: { input: 600, output: 250, sigma: 0.4 },
  pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
});

let simulator: Simulator | null = null;
test.afterEach(async () => {
  await simulator?.stop();
});

test("while the simulator sends traffic, the rollout page's charts grow without a reload", async ({ pageAs }) => {
  test.setTimeout(90_000);
  const admin = await pageAs("admin");
  // A long first stage at 30 %, so the controller keeps it where it is while the charts fill.
  const { key, rollout } = await seedConfig(admin.request, { rollout: true, stages: [{ percent: 30, minDurationSec: 3600, minSamples: 100000 }, { percent: 100, minDurationSec: 0, minSamples: 0 }] });
  const created = await admin.request.post("/api/admin/api-keys", { data: { name: uniqueKey("simulator"), scopes: ["route", "metrics"] } });
  const { key: apiKey } = await created.json();
  simulator = createSimulator({ baseUrl: E2E_BASE_URL, apiKey, traffic: [{ config: key, requestsPerSecond: 25, stable: profile(0.02, 700), canary: profile(0.03, 800) }] });
  simulator.start();

  const page = await pageAs("operator");
  await page.goto(`/rollouts/${rollout!.id}`);
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

  const errorChart = page.getByRole("figure", { name: /^Error rate chart/ });
  const canaryRequests = async () => Number(/(\d+) canary requests/.exec((await errorChart.textContent()) ?? "")?.[1] ?? 0);
  await expect.poll(canaryRequests, { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await canaryRequests();
  await expect.poll(canaryRequests, { timeout: 30_000 }).toBeGreaterThan(first);
  await expect(page.getByRole("figure", { name: /^Canary share of traffic chart/ })).toContainText("canary requests");

  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  expect(simulator.counters().failed).toBe(0);

  // (The README's rollout picture is taken by score-guardrail-rolls-back.spec.ts: one with score charts.)
  await page.goto("/");
  const row = page.getByRole("row", { name: new RegExp(key) });
  await expect(row.getByLabel("Guardrail verdicts")).toBeVisible();
  await expect(row).toContainText("30%");
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, "dashboard.png") });
});
