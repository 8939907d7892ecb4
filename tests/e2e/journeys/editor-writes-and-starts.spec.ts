import { expect, test, uniqueKey } from "./fixtures";

test("an editor creates a config, writes versions, sees the diff against stable and starts a canary", async ({ pageAs }) => {
  const page = await pageAs("editor");
  const key = uniqueKey("journey");

  await page.goto("/");
  await page.getByRole("button", { name: "New config" }).click();
  const dialog = page.getByRole("dialog", { name: "New config" });
  await dialog.getByLabel("Key").fill(key);
  await dialog.getByLabel("Name").fill("Support chat");
  await dialog.getByRole("button", { name: "Create config" }).click();
  await expect(page).toHaveURL(new RegExp(`/configs/${key}$`));
  await expect(page.getByRole("heading", { name: "Support chat" })).toBeVisible();

  // The first version becomes stable.
  await page.getByRole("link", { name: "Write the first version" }).click();
  await page.getByLabel("Label").fill("v1.0.0");
  await page.getByLabel("Model").fill("gpt-4o-mini");
  await page.getByRole("textbox", { name: "Message 1 Content" }).fill("You are a support agent for Acme.\nBe polite.\nAnswer in three sentences or fewer.");
  await page.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByRole("heading", { name: /v1\.0\.0/ })).toBeVisible();
  await expect(page.getByText("stable", { exact: true })).toBeVisible();

  // A changed version, starting from stable; a bad value first gets the server's message.
  await page.getByRole("link", { name: "Edit as new version" }).click();
  await expect(page.getByLabel("Label")).toHaveValue("v1.0.1");
  await page.getByRole("textbox", { name: "Message 1 Content" }).fill("You are a support agent for Acme.\nBe polite.\nCite the help-center article you used.\nAnswer in three sentences or fewer.");
  await page.getByLabel("Temperature").fill("7");
  await page.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByText("must be from 0 to 2").first()).toBeVisible();
  await page.getByLabel("Temperature").fill("0.3");
  await page.getByLabel("Description", { exact: true }).fill("Cite sources");
  await page.getByRole("button", { name: "Save as new version" }).click();

  // Its diff against stable: changed fields and the prompt line that was added.
  await expect(page.getByRole("heading", { name: /v1\.0\.1/ })).toBeVisible();
  const changes = page.getByRole("list", { name: "Changed fields" });
  await expect(changes).toContainText("temperature 0.7 → 0.3");
  await expect(changes).toContainText("message 1 (system) changed: 1 line added");
  const system = page.getByRole("listitem", { name: "Message 1 (system)" });
  await expect(system.getByRole("row", { name: "added: Cite the help-center article you used." })).toBeVisible();

  // Start a canary of it with a shorter ramp.
  await page.getByRole("button", { name: "Start canary with v1.0.1" }).click();
  const start = page.getByRole("dialog", { name: /Start a canary/ });
  await expect(start.getByLabel("Canary version")).toHaveValue(/ver_/);
  for (let i = 6; i > 3; i--) await start.getByRole("button", { name: `Remove stage ${i}` }).click();
  await start.getByLabel("Stage 3 percent").fill("100");
  await start.getByLabel("Stage 1 minimum duration in minutes").fill("30");
  await start.getByLabel("Always canary (user ids)").fill("qa-alice\nqa-bob");
  await start.getByRole("button", { name: "Start canary" }).click();

  await expect(page).toHaveURL(/\/rollouts\/ro_/);
  await expect(page.getByRole("heading", { name: /v1\.0\.0 → v1\.0\.1/ })).toBeVisible();
  await expect(page.getByText("1% of users on the canary, stage 1 of 3")).toBeVisible();
  await expect(page.getByRole("list", { name: "Stages" }).getByRole("listitem")).toHaveCount(3);
  // An editor starts canaries but does not operate them.
  await expect(page.getByRole("group", { name: "Rollout actions" })).toHaveCount(0);

  const rollout = await (await page.request.get(`/api/admin/configs/${key}`)).json();
  expect(rollout.activeRollout.include).toEqual(["qa-alice", "qa-bob"]);
  expect(rollout.activeRollout.stages.map((s: { percent: number }) => s.percent)).toEqual([1, 5, 100]);
  expect(rollout.activeRollout.stages[0].minDurationSec).toBe(1800);
});
