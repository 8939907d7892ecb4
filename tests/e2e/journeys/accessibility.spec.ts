import AxeBuilder from "@axe-core/playwright";
import { expect, seedConfig, test } from "./fixtures";
import { unreadableCells } from "./readable-tables";

// Every console page, checked by axe (WCAG 2 A and AA: labels, contrast, roles, keyboard
// semantics) at 1280×720, and on a phone-sized window: the page itself never scrolls sideways, and
// every table's every cell can be found, seen whole and read there (see readable-tables.ts).

const LONG_REASON = "Refunds answers quote last year's policy and the error rate doubled in the first stage; back to stable until the prompt is fixed";

test("every console page passes axe's WCAG A/AA checks and fits a narrow window", async ({ pageAs }) => {
  test.setTimeout(240_000);
  const page = await pageAs("admin");
  const { key, v2, rollout } = await seedConfig(page.request, { rollout: true });
  // A rolled-back rollout too: its long reason is the audit log's widest cell.
  const rolledBack = await seedConfig(page.request, { rollout: true });
  const rollback = await page.request.post(`/api/admin/rollouts/${rolledBack.rollout!.id}/rollback`, { data: { reason: LONG_REASON, revision: rolledBack.rollout!.revision } });
  expect(rollback.status(), await rollback.text()).toBe(200);
  const pages = [
    "/",
    `/configs/${key}`,
    `/configs/${key}/versions/${v2.id}`,
    `/configs/${key}/versions/new?from=${v2.id}`,
    `/configs/${key}/playground`,
    `/rollouts/${rollout!.id}`,
    "/audit",
    `/audit?config=${rolledBack.key}`,
    "/settings",
  ];
  // The pages whose tables a phone user reads most: the config list, a rollout's comparison and
  // stage history, the audit log (the rolled-back config's events: every kind of cell, few rows).
  const tablesReadOnPhones = new Set(["/", `/rollouts/${rollout!.id}`, `/audit?config=${rolledBack.key}`]);
  for (const path of pages) {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(path);
    await expect(page.locator("[aria-busy=true]")).toHaveCount(0);
    const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
    expect(serious, `axe on ${path}`).toEqual([]);

    await page.setViewportSize({ width: 390, height: 800 });
    // Charts take their new width a frame or two after the resize: poll until the layout settles.
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await expect.poll(overflow, { message: `sideways scroll on ${path} at 390 px`, timeout: 5_000 }).toBeLessThanOrEqual(0);
    if (!tablesReadOnPhones.has(path)) continue;
    for (const table of await page.getByRole("table").all()) {
      const name = (await table.getAttribute("aria-label")) ?? (await table.getByRole("columnheader").allTextContents()).join(", ");
      expect.soft(await unreadableCells(table), `cells of the table (${name}) on ${path} at 390 px`).toEqual([]);
    }
  }
});

test("a dialog is reachable and usable with the keyboard alone", async ({ pageAs }) => {
  const page = await pageAs("editor");
  await page.goto("/");
  await page.getByRole("button", { name: "New config" }).focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "New config" });
  await expect(dialog.getByLabel("Key")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "New config" })).toBeVisible();
});
