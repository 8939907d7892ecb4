import { E2E_USERS } from "../constants";
import { consoleErrors, expect, seedConfig, test } from "./fixtures";

test("an operator rolls back with a reason; the rollout page, dashboard and audit log show it", async ({ pageAs }) => {
  const admin = await pageAs("admin");
  const { key, rollout } = await seedConfig(admin.request, { rollout: true });
  const page = await pageAs("operator");

  await page.goto(`/rollouts/${rollout!.id}`);
  const actions = page.getByRole("group", { name: "Rollout actions" });
  await actions.getByRole("button", { name: "Rollback" }).click();
  const dialog = page.getByRole("dialog", { name: "Rollback?" });
  const confirm = dialog.getByRole("button", { name: "Confirm rollback" });
  await expect(confirm).toBeDisabled(); // a rollback needs a reason
  await dialog.getByLabel("Reason").fill("Answers cite the wrong articles");
  await confirm.click();

  await expect(page.getByRole("status").filter({ hasText: "Rollback: done" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: `Rolled back by ${E2E_USERS.operator.email}` })).toContainText("Answers cite the wrong articles");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("rolled back");
  await expect(actions).toHaveCount(0);

  await page.goto("/");
  await expect(page.getByRole("row", { name: new RegExp(key) })).toContainText("no active rollout");

  await page.goto(`/audit?config=${key}`);
  const row = page.getByRole("row", { name: /rollout\.rollback/ });
  await expect(row).toContainText(E2E_USERS.operator.email);
  await expect(row).toContainText("Answers cite the wrong articles");
});

test("an action that lost a race says what changed and shows the new state", async ({ pageAs }) => {
  const admin = await pageAs("admin");
  const { rollout } = await seedConfig(admin.request, { rollout: true });
  const page = await pageAs("operator");
  await page.goto(`/rollouts/${rollout!.id}`);
  await expect(page.getByRole("button", { name: "Pause" })).toBeVisible();

  // Someone else pauses it while this page still shows it running.
  expect((await admin.request.post(`/api/admin/rollouts/${rollout!.id}/pause`, { data: { revision: rollout!.revision } })).status()).toBe(200);

  await page.getByRole("button", { name: "Advance stage" }).click();
  await page.getByRole("dialog", { name: "Advance stage?" }).getByRole("button", { name: "Confirm advance stage" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Not done" })).toContainText("It is now paused at stage 1");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("paused");
  await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
});

for (const width of [1440, 390]) {
  test(`at ${width} px, a rollback from the last stage updates the header, the stage chips and the kept reports without a reload`, async ({ pageAs }) => {
    test.setTimeout(90_000);
    const admin = await pageAs("admin");
    // Auto-promote off (the default): the page says promotion needs approval while it runs.
    const { rollout } = await seedConfig(admin.request, { rollout: true, stages: [{ percent: 10, minDurationSec: 3600, minSamples: 100000 }, { percent: 100, minDurationSec: 3600, minSamples: 100000 }] });
    const advanced = await admin.request.post(`/api/admin/rollouts/${rollout!.id}/advance`, { data: { revision: rollout!.revision } });
    expect(advanced.status(), await advanced.text()).toBe(200);

    const page = await pageAs("operator");
    const errors = consoleErrors(page);
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`/rollouts/${rollout!.id}`);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const chips = page.getByRole("list", { name: "Stages" }).getByRole("listitem");
    const kept = page.getByRole("region", { name: "Stage history", exact: true });
    await expect(page.getByText("promotion needs approval")).toBeVisible();
    await expect(chips.filter({ hasText: "100%" })).toContainText("(current)");
    await expect(kept).toContainText("Stage 1: advanced");

    await page.getByRole("group", { name: "Rollout actions" }).getByRole("button", { name: "Rollback" }).click();
    const dialog = page.getByRole("dialog", { name: "Rollback?" });
    await dialog.getByLabel("Reason").fill("Rolled back from the last stage");
    await dialog.getByRole("button", { name: "Confirm rollback" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Rollback: done" })).toBeVisible();

    await expect(page.getByRole("heading", { level: 1 })).toContainText("rolled back");
    await expect(page.getByText("promotion needs approval")).toHaveCount(0);
    await expect(chips.filter({ hasText: "10%" })).toContainText("(done)");
    await expect(chips.filter({ hasText: "100%" })).toContainText("(rolled back here)");
    await expect(chips.filter({ hasText: "(next)" })).toHaveCount(0);
    await expect(kept).toContainText("Stage 2: rolled back");

    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(errors).toEqual([]);
  });
}
