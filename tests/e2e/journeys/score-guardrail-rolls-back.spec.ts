import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { POLICY_ANSWERS } from "@/lib/demo/policy-answers";
import { createSimulator, type Simulator } from "@/lib/demo/simulator";
import { E2E_BASE_URL, SCREENSHOT_DIR } from "../constants";
import { expect, seedConfig, test, uniqueKey } from "./fixtures";

// Custom scores from the console's side: a config with the demo's two scores (groundedness, a
// guardrail; valid JSON, tracked), a canary started in the dialog with the guardrail's threshold
// changed, then simulated users through the client API and the SDK (valid_json with each outcome,
// groundedness later, as an evaluator sends it) until the controller rolls the canary back on
// groundedness. The rollout page then shows the score's verdict, its rows, its charts and the
// reason; the README's rollout screenshot is taken here.

let simulator: Simulator | null = null;
test.afterEach(async () => {
  await simulator?.stop();
});

test("a canary judged on a custom score: its threshold in the start dialog, then its verdict, rows, charts and the controller's rollback naming it", async ({ pageAs }) => {
  test.setTimeout(120_000);
  const admin = await pageAs("admin");
  const { key } = await seedConfig(admin.request);
  for (const score of POLICY_ANSWERS.scores!) {
    const res = await admin.request.post(`/api/admin/configs/${key}/scores`, { data: score });
    expect(res.status(), await res.text()).toBe(201);
  }

  // The dialog offers the guardrail score's threshold, prefilled from its definition; the tracked score has none.
  const editor = await pageAs("editor");
  await editor.goto(`/configs/${key}`);
  await editor.getByRole("button", { name: "Start canary" }).click();
  const dialog = editor.getByRole("dialog", { name: /Start a canary/ });
  const threshold = dialog.getByLabel("Groundedness (groundedness)", { exact: true });
  await expect(threshold).toHaveValue("0.05");
  await expect(dialog.getByLabel("Groundedness threshold form")).toHaveValue("difference");
  await expect(dialog.getByText("mean may drop by at most 0.05")).toBeVisible();
  await expect(dialog.getByLabel(/valid_json/)).toHaveCount(0);
  await threshold.fill("0.04");
  await expect(dialog.getByText("mean may drop by at most 0.04")).toBeVisible();
  // Two stages, half the users on the canary first: evidence builds up within seconds.
  for (let i = 6; i > 2; i--) await dialog.getByRole("button", { name: `Remove stage ${i}` }).click();
  await dialog.getByLabel("Stage 1 percent").fill("50");
  await dialog.getByLabel("Stage 2 percent").fill("100");
  await dialog.getByRole("button", { name: "Start canary" }).click();
  await expect(editor).toHaveURL(/\/rollouts\/ro_/);
  const rolloutId = /\/rollouts\/(ro_[^/?#]+)/.exec(editor.url())![1];

  // The rollout holds the override, as the admin API reports it.
  const started = await (await admin.request.get(`/api/admin/rollouts/${rolloutId}`)).json();
  expect(started.thresholds.scores).toEqual({ groundedness: { form: "difference", value: 0.04 } });
  expect(started.stages.map((s: { percent: number }) => s.percent)).toEqual([50, 100]);

  // The demo's policy-answers users: the canary's answers are less grounded, rated about the same.
  const created = await admin.request.post("/api/admin/api-keys", { data: { name: uniqueKey("scores-simulator"), scopes: ["route", "metrics"] } });
  const { key: apiKey } = await created.json();
  const { stable, canary } = POLICY_ANSWERS.traffic;
  simulator = createSimulator({ baseUrl: E2E_BASE_URL, apiKey, traffic: [{ config: key, requestsPerSecond: 30, stable, canary }], feedbackDelayMs: { min: 300, max: 1_500 } });
  simulator.start();

  const page = await pageAs("operator");
  await page.goto(`/rollouts/${rolloutId}`);
  // The controller (ticks and pokes on stored outcomes) rolls it back; the page follows without a reload.
  const banner = page.getByRole("alert").filter({ hasText: "The controller rolled this canary back automatically." });
  await expect(banner).toContainText("Reason: Automatic rollback: canary Groundedness", { timeout: 60_000 });
  await expect(banner).toContainText("past the 0.04 allowed");
  const final = await simulator.stop();
  simulator = null;
  expect(final.failed).toBe(0);
  expect(final.scoreDelivery).toMatchObject({ failed: 0, dropped: 0 });
  expect(final.scoreDelivery.delivered).toBeGreaterThan(0); // late scores, through POST /api/scores
  await page.reload();

  // The score guardrail's verdict: its label on the badge, its sentence beside it; none for the tracked score.
  const verdicts = page.getByRole("list", { name: "Guardrail verdicts" });
  const grounded = verdicts.getByRole("listitem").filter({ hasText: "Groundedness: fail" });
  await expect(grounded).toHaveCount(1);
  await expect(grounded).toContainText(/canary Groundedness 0\.\d{3} \(\d+ scored\) vs stable 0\.\d{3} \([\d,]+\): 0\.\d{3} lower, past the 0\.04 allowed; the evidence for 'worse by the allowed drop' over 'no worse' is/);
  await expect(verdicts.getByRole("listitem")).toHaveCount(5); // the four built-ins and groundedness
  await expect(verdicts).not.toContainText("Valid JSON");

  // A row per score in the variant table, the tracked one marked, each with what it rests on.
  const table = page.getByRole("table", { name: "Stable and canary compared, with 95% intervals" });
  await expect(table.getByRole("row", { name: /^Groundedness / })).toContainText(/\(\d+ scored\).*\(\d+ scored\)/);
  await expect(table.getByRole("row", { name: /^Valid JSON \(tracked\) / })).toContainText("%");

  // A chart per score, the tracked one marked; both with canary values.
  await expect(page.getByRole("figure", { name: /^Groundedness chart/ })).toContainText(/\d+ canary scored/);
  await expect(page.getByRole("figure", { name: /^Valid JSON \(tracked\) chart/ })).toContainText(/\d+ canary scored/);

  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // The README's picture: the reason, the verdicts, the variant table and the charts down to the scores'.
  await page.setViewportSize({ width: 1280, height: 2400 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const charts = (await page.getByRole("region", { name: "Stable vs canary", exact: true }).boundingBox())!;
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, "rollout.png"), clip: { x: 0, y: 0, width: 1280, height: Math.ceil(charts.y + charts.height + 16) } });

  // And on a phone: the stage history scrolling under its pinned stage column, the variant table as cards.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const variants = (await table.boundingBox())!;
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, "rollout-narrow.png"), fullPage: true, clip: { x: 0, y: 0, width: 390, height: Math.ceil(variants.y + variants.height + 16) } });
});
