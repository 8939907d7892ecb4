import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { startProviderProcess } from "../../helpers/openai-compatible-process";
import { E2E_PROVIDER_KEY } from "../constants";
import { expect, seedConfig, test, uniqueKey } from "./fixtures";
import { unreadableCells } from "./readable-tables";

/** The page as the accessibility journey checks every page (that journey sees these sections empty). */
async function checkReadable(page: Page, table: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  await page.setViewportSize({ width: 390, height: 800 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  expect(await unreadableCells(page.getByRole("table", { name: table }))).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 720 });
}

// An online evaluator from the console: an editor adds one on the config page (judging through a
// connection to the OpenAI-compatible test server, a process of its own), the running server's
// evaluation worker judges the canary's outcomes that carry an output sample, and the rollout
// page's evaluation log shows each score with the judge's answer; the editor pauses the
// evaluator, then deletes it.

test("an editor adds an evaluator, its verdicts appear in the rollout's evaluation log, then pauses and deletes it", async ({ pageAs }) => {
  // 40 s on a quiet machine, 85 s on a busy one: two pages with axe and phone-width checks each.
  test.setTimeout(180_000);
  const provider = await startProviderProcess({ apiKey: E2E_PROVIDER_KEY });
  try {
    const admin = await pageAs("admin");
    const { key, v2, rollout } = await seedConfig(admin.request, { rollout: true });
    const score = await admin.request.post(`/api/admin/configs/${key}/scores`, { data: { key: "grounded", label: "Grounded", kind: "numeric", min: 0, max: 1, guardrail: false } });
    expect(score.status(), await score.text()).toBe(201);
    // A model of its own (the test server answers any), priced: the log shows what each call cost.
    const judgeModel = uniqueKey("test-judge");
    const price = await admin.request.post("/api/admin/model-prices", { data: { model: judgeModel, inputUsdPerMillion: 1, outputUsdPerMillion: 2 } });
    expect(price.status(), await price.text()).toBe(200);
    const connection = uniqueKey("judge");
    const made = await admin.request.post("/api/admin/providers", { data: { name: connection, baseUrl: `${provider.origin}/v1`, apiKey: E2E_PROVIDER_KEY } });
    expect(made.status(), await made.text()).toBe(201);

    const page = await pageAs("editor");
    await page.goto(`/configs/${key}`);
    const section = page.getByRole("region", { name: "Evaluators", exact: true });
    await expect(section.getByText("No evaluators yet.")).toBeVisible();
    await section.getByRole("button", { name: "Add evaluator" }).click();
    const dialog = page.getByRole("dialog", { name: "Add an evaluator" });
    await dialog.getByLabel("Name", { exact: true }).fill("Echo judge");
    await expect(dialog.getByLabel("Score it writes")).toHaveValue("grounded");
    await dialog.getByLabel("Connection").selectOption({ label: connection });
    await dialog.getByLabel("Judge model").fill(judgeModel);
    // The test server answers "Echo: <prompt>": the judge reads back the number the output holds.
    await dialog.getByLabel("Judge prompt").fill("Score: {{input}}");
    await dialog.getByLabel("Sampling rate (%)").fill("100");
    await dialog.getByRole("button", { name: "Add evaluator" }).click();
    await expect(dialog.getByText("must use {{output}}: the answer the judge is to score", { exact: true })).toBeVisible();
    await dialog.getByLabel("Judge prompt").fill("{{output}}");
    await dialog.getByRole("button", { name: "Add evaluator" }).click();
    await expect(dialog).toBeHidden();
    const row = section.getByRole("row", { name: /Echo judge/ });
    await expect(row).toContainText("grounded");
    await expect(row).toContainText("a number");
    await expect(row).toContainText("100 % of outcomes, at least 5 canary a minute, at most 60 a minute");

    // Canary outcomes with output samples, reported as a client would.
    const created = await admin.request.post("/api/admin/api-keys", { data: { name: uniqueKey("evaluated"), scopes: ["metrics"] } });
    const { key: metricsKey } = await created.json();
    const events = [0.25, 0.5, 0.75].map((value, i) => ({ requestId: uniqueKey(`judged-${i}`), config: key, versionId: v2.id, rolloutId: rollout!.id, isError: false, latencyMs: 300, input: "Where is my invoice?", output: String(value) }));
    const sent = await page.request.post("/api/metrics", { headers: { authorization: `Bearer ${metricsKey}` }, data: { events } });
    expect(sent.status(), await sent.text()).toBe(202);

    await page.goto(`/rollouts/${rollout!.id}`);
    const log = page.getByRole("region", { name: "Evaluations", exact: true });
    // The worker samples what settled a couple of seconds ago, each second; the log polls.
    await expect(log.getByText("Echo judge: 3 done, 0 failed, 0 pending")).toBeVisible({ timeout: 30_000 });
    await expect(log).toContainText("mean score 0.500");
    // One prompt token and two answer tokens at $1 and $2 per million.
    await expect(log.getByRole("row", { name: /Echo: 0\.75/ })).toContainText(/done.*\$0\.00000500/);
    await expect(log).toContainText("Evaluation cost for this rollout: $0.0000150");
    await checkReadable(page, "Evaluations, newest first");

    // Paused, then deleted; the log keeps what it judged.
    await page.goto(`/configs/${key}`);
    await expect(row).toBeVisible();
    await checkReadable(page, `Evaluators of ${key}`);
    await section.getByRole("button", { name: "Change Echo judge" }).click();
    const change = page.getByRole("dialog", { name: "Change evaluator Echo judge" });
    await change.getByLabel("Enabled: evaluate outcomes as they arrive").uncheck();
    await change.getByRole("button", { name: "Save changes" }).click();
    await expect(change).toBeHidden();
    await expect(row).toContainText("paused");
    await section.getByRole("button", { name: "Delete Echo judge" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete evaluator Echo judge?" });
    await confirm.getByRole("button", { name: "Delete evaluator" }).click();
    await expect(confirm).toBeHidden();
    await expect(section.getByText("No evaluators yet.")).toBeVisible();
    const kept = await (await page.request.get(`/api/admin/rollouts/${rollout!.id}/evaluations`)).json();
    expect(kept.totals.byEvaluator).toEqual([expect.objectContaining({ evaluatorName: null, done: 3 })]);
  } finally {
    await provider.stop();
  }
});
