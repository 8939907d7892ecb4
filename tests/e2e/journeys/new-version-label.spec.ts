import AxeBuilder from "@axe-core/playwright";
import { expect, seedConfig, test, uniqueKey } from "./fixtures";

// The new-version page offers the label after the latest version and speaks of a first version
// only to a config that has none.

test("a new empty version of a config with versions is offered the next label, not v1", async ({ pageAs }) => {
  const page = await pageAs("editor");
  const { key } = await seedConfig(page.request); // v1, then v2
  await page.goto(`/configs/${key}/versions/new`);
  await expect(page.getByLabel("Label", { exact: true })).toHaveValue("v3");
  await expect(page.getByText("the latest is v2")).toBeVisible();
  await expect(page.getByText("The first version")).toHaveCount(0);
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);

  // Starting from v1 offers the label after v1 that is still free.
  await page.getByLabel("Start from").selectOption({ label: "v1" });
  await expect(page.getByLabel("Label", { exact: true })).toHaveValue("v3");
});

test("a config without versions is offered v1, which becomes its stable version", async ({ pageAs }) => {
  const page = await pageAs("editor");
  const key = uniqueKey("empty");
  expect((await page.request.post("/api/admin/configs", { data: { key, name: `Empty ${key}` } })).status()).toBe(201);
  await page.goto(`/configs/${key}/versions/new`);
  await expect(page.getByLabel("Label", { exact: true })).toHaveValue("v1");
  await expect(page.getByText("The first version of a config becomes its stable version.")).toBeVisible();
});
