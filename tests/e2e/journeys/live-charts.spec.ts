import path from "node:path";
import type { Locator } from "@playwright/test";
import { createSimulator, type Simulator } from "@/lib/demo/simulator";
import type { VariantProfile } from "@/lib/demo/traffic-model";
import { E2E_BASE_URL, SCREENSHOT_DIR } from "../constants";
import { consoleErrors, expect, seedConfig, test, uniqueKey } from "./fixtures";

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

/** Each y-axis label of a chart on one line and inside the chart (recharts' own ticks wrapped "1000 ms" and cut off the top line). */
async function expectReadableTicks(figure: Locator) {
  await expect.poll(() => figure.getByTestId("y-tick").count()).toBeGreaterThan(1);
  const problems = await figure.evaluate((el) => {
    const chart = el.querySelector("svg")!.getBoundingClientRect();
    return Array.from(el.querySelectorAll("[data-testid=y-tick]")).flatMap((tick) => {
      const box = tick.getBoundingClientRect();
      const lineHeight = 1.6 * parseFloat(getComputedStyle(tick).fontSize);
      const lines = Math.max(1, tick.querySelectorAll("tspan").length);
      const where = `${tick.textContent} (${Math.round(box.left)},${Math.round(box.top)} ${Math.round(box.width)}×${Math.round(box.height)} in ${Math.round(chart.left)},${Math.round(chart.top)} ${Math.round(chart.width)}×${Math.round(chart.height)})`;
      return [
        ...(lines > 1 || box.height > lineHeight ? [`more than one line: ${where}`] : []),
        ...(box.top < chart.top - 0.5 || box.left < chart.left - 0.5 || box.bottom > chart.bottom + 0.5 ? [`outside the chart: ${where}`] : []),
      ];
    });
  });
  expect(problems).toEqual([]);
}

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
  // Latencies past a second: their axis labels are the ones that used to wrap.
  simulator = createSimulator({ baseUrl: E2E_BASE_URL, apiKey, traffic: [{ config: key, requestsPerSecond: 25, stable: profile(0.02, 1400), canary: profile(0.03, 1600) }] });

  const page = await pageAs("operator");
  const errors = consoleErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/rollouts/${rollout!.id}`);
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  // No data yet: no guardrail limit is known, so no chart draws one.
  const charts = page.getByRole("figure", { name: / chart, / });
  await expect(page.getByRole("figure", { name: /^Error rate chart, 0 buckets/ })).toBeVisible();
  await expect(charts.getByText("limit", { exact: true })).toHaveCount(0);

  simulator.start();
  const errorChart = page.getByRole("figure", { name: /^Error rate chart/ });
  const canaryRequests = async () => Number(/(\d+) canary requests/.exec((await errorChart.textContent()) ?? "")?.[1] ?? 0);
  await expect.poll(canaryRequests, { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await canaryRequests();
  await expect.poll(canaryRequests, { timeout: 30_000 }).toBeGreaterThan(first);
  await expect(page.getByRole("figure", { name: /^Canary share of traffic chart/ })).toContainText("canary requests");

  // With stable's data the limit is known: the error-rate chart draws it.
  await expect(errorChart.getByText("limit", { exact: true })).toBeVisible({ timeout: 20_000 });
  const p95Chart = page.getByRole("figure", { name: /^p95 latency chart/ });
  await expect.poll(async () => (await p95Chart.getByTestId("y-tick").allTextContents()).some((label) => / s$/.test(label))).toBe(true);
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    for (const figure of await charts.all()) await expectReadableTicks(figure);
  }
  await page.setViewportSize({ width: 1280, height: 720 }); // the size of the README's dashboard picture

  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  expect(simulator.counters().failed).toBe(0);
  expect(errors).toEqual([]);

  // (The README's rollout picture is taken by score-guardrail-rolls-back.spec.ts: one with score charts.)
  await page.goto("/");
  const row = page.getByRole("row", { name: new RegExp(key) });
  await expect(row.getByLabel("Guardrail verdicts")).toBeVisible();
  await expect(row).toContainText("30%");
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, "dashboard.png") });
});
