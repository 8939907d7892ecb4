import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { E2E_ADMIN, SCREENSHOT_DIR } from "../constants";
import { consoleErrors, expect, seedConfig, test } from "./fixtures";

// After a rollback: the audit log says what each event changed, field by field, names what it is
// about instead of its id (the full before and after one click away), and the dashboard keeps the
// rolled-back config's outcome — who, why, when — where its canary was, and finds it by a filter.
// At a desktop width and a phone's.

const REASON =
  "Answers cite the wrong help-centre articles for billing questions, and the error rate doubled in the first stage; back to stable until the retrieval fix ships";

/** A config with a canary of v2 rolled back by the admin, and a score whose threshold changed. */
async function rolledBackConfig(page: Page) {
  const { key, rollout } = await seedConfig(page.request, { rollout: true });
  const score = await page.request.post(`/api/admin/configs/${key}/scores`, {
    data: { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1, threshold: { form: "difference", value: 0.05 } },
  });
  expect(score.status(), await score.text()).toBe(201);
  const changed = await page.request.patch(`/api/admin/configs/${key}/scores/groundedness`, { data: { threshold: { form: "difference", value: 0.1 } } });
  expect(changed.status(), await changed.text()).toBe(200);
  const rollback = await page.request.post(`/api/admin/rollouts/${rollout!.id}/rollback`, { data: { reason: REASON, revision: rollout!.revision } });
  expect(rollback.status(), await rollback.text()).toBe(200);
  return { key, rolloutId: rollout!.id };
}

/** axe's serious and critical WCAG 2 A/AA findings on what the page shows now (open disclosures included). */
async function axeFindings(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
}

const noSidewaysScroll = async (page: Page) => expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

for (const [width, suffix] of [
  [1440, ""],
  [390, "-narrow"],
] as const) {
  test(`at ${width} px the audit log lists each change by field and by name, the full JSON one click away`, async ({ pageAs }) => {
    const page = await pageAs("admin");
    await page.setViewportSize({ width, height: 900 });
    const errors = consoleErrors(page);
    const { key, rolloutId } = await rolledBackConfig(page);

    await page.goto(`/audit?config=${key}`);
    const rollback = page.getByRole("row").filter({ hasText: "rollout.rollback" });
    const changes = rollback.getByRole("list", { name: "Changed fields" });
    await expect(changes.getByRole("listitem").filter({ hasText: /^status:/ })).toHaveText("status: running → rolled_back");
    await expect(changes).toContainText("endReason: null → Answers cite the wrong");
    // What it is about, by name and linked to its page; the id only in the link and the snapshots.
    const rolloutLink = rollback.getByRole("link", { name: `${key} canary v2` });
    await expect(rolloutLink).toHaveAttribute("href", `/rollouts/${rolloutId}`);
    await expect(rollback.getByRole("cell").nth(3)).not.toContainText(rolloutId);

    const scoreUpdate = page.getByRole("row").filter({ hasText: "score.update" });
    await expect(scoreUpdate.getByRole("list", { name: "Changed fields" })).toContainText("threshold.value: 0.05 → 0.1");
    await expect(scoreUpdate.getByRole("cell").nth(3)).toContainText("groundedness");
    await expect(scoreUpdate.getByRole("link", { name: `config ${key}` })).toHaveAttribute("href", `/configs/${key}`);
    const versionCreate = page.getByRole("row").filter({ hasText: "version.create" }).first();
    await expect(versionCreate.getByRole("link", { name: "v2" })).toHaveAttribute("href", /\/configs\/.+\/versions\/ver_/);

    await noSidewaysScroll(page);
    // On a phone the table scrolls inside its box: the picture shows the change list there.
    await changes.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `audit${suffix}.png`) });

    // The whole snapshots, one click away.
    const after = rollback.getByRole("region", { name: "After" });
    await expect(after).toBeHidden();
    await rollback.getByText("Full before / after").click();
    await expect(after).toContainText('"status": "rolled_back"');
    await expect(rollback.getByRole("region", { name: "Before" })).toContainText('"status": "running"');
    await noSidewaysScroll(page);
    expect(await axeFindings(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  test(`at ${width} px the dashboard shows a rolled-back config's last outcome, and the filter finds it`, async ({ pageAs }) => {
    const page = await pageAs("admin");
    await page.setViewportSize({ width, height: 900 });
    const errors = consoleErrors(page);
    const { key, rolloutId } = await rolledBackConfig(page);
    const { key: running } = await seedConfig(page.request, { rollout: true });

    await page.goto("/");
    const row = page.getByRole("row", { name: new RegExp(key) });
    await expect(row).toContainText("no active rollout");
    await expect(row.getByRole("link", { name: "v2" })).toHaveAttribute("href", `/rollouts/${rolloutId}`);
    await expect(row).toContainText(`Rolled back by ${E2E_ADMIN.email}`);
    await expect(row.locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
    await expect(page.getByRole("row", { name: new RegExp(running) })).toBeVisible();

    await page.getByLabel("Show").selectOption({ label: "Rolled back in the last 24 h" });
    await expect(row).toBeVisible();
    await expect(page.getByRole("row", { name: new RegExp(running) })).toHaveCount(0);
    await noSidewaysScroll(page);
    await row.getByText("Last rollout").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `dashboard-rolled-back${suffix}.png`) });

    // The reason is shortened; the whole of it is one click away.
    const fullReason = row.getByText(REASON, { exact: true });
    await expect(fullReason).toBeHidden();
    await expect(row).toContainText("Reason: Answers cite the wrong help-centre articles");
    await row.getByText("full reason").click();
    await expect(fullReason).toBeVisible();
    expect(await axeFindings(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
}
