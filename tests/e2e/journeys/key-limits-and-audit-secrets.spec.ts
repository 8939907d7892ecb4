import { E2E_ADMIN, E2E_WEBHOOK_TOKEN } from "../constants";
import { expect, seedConfig, test, uniqueKey } from "./fixtures";

test("an admin makes a key for one config: the list shows its config and maker, and other configs are refused", async ({ pageAs }) => {
  const page = await pageAs("admin");
  const { key: config } = await seedConfig(page.request);
  const everyConfig = await page.request.post("/api/admin/api-keys", { data: { name: uniqueKey("every-config"), scopes: ["route"] } });
  expect(everyConfig.status()).toBe(201);
  const name = uniqueKey("chat-web");
  await page.goto("/settings");
  await page.getByRole("button", { name: "Create API key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Only these configs").check();
  await dialog.getByRole("group", { name: "Configs this key may use" }).getByLabel(config).check();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByRole("dialog", { name: "Your new API key" });
  const key = (await shown.getByLabel("New API key").textContent())!.trim();
  await shown.getByRole("button", { name: "Done" }).click();

  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText(config);
  await expect(row).toContainText(`by ${E2E_ADMIN.email}`);
  await expect(page.getByRole("row", { name: new RegExp((await everyConfig.json()).apiKey.name) })).toContainText("all configs");

  const route = (target: string) => page.request.post("/api/route", { headers: { authorization: `Bearer ${key}` }, data: { config: target, userId: "u1" } });
  await expect.poll(async () => (await route(config)).status()).toBe(200);
  const other = await route("another-teams-config");
  expect(other.status()).toBe(403);
  expect((await other.json()).error.message).toContain("may not use config `another-teams-config`");
});

test("a Slack webhook's token never shows in the audit log, and a viewer sees no channel events", async ({ pageAs }) => {
  const operator = await pageAs("operator");
  const name = uniqueKey("ops-slack");
  await operator.goto("/settings");
  await operator.getByRole("button", { name: "Add channel" }).click();
  const dialog = operator.getByRole("dialog", { name: "Add alert channel" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Kind").selectOption("slack");
  await dialog.getByLabel("URL").fill(`http://127.0.0.1:9/services/T0E2E/B0E2E/${E2E_WEBHOOK_TOKEN}`);
  await dialog.getByRole("button", { name: "Save channel" }).click();
  await expect(dialog).toBeHidden();

  await operator.goto("/audit?action=alert_channel.create");
  const row = operator.getByRole("row").filter({ hasText: name });
  await row.getByText("Before / after").click();
  await expect(row.getByLabel("After")).toContainText('"url": "http://127.0.0.1:9/***"');
  expect(await operator.content()).not.toContain(E2E_WEBHOOK_TOKEN);

  const viewer = await pageAs("viewer");
  await viewer.goto("/audit?action=alert_channel.create");
  await expect(viewer.getByText("No events match.")).toBeVisible();
  await expect(viewer.getByLabel("Action").locator("option", { hasText: "alert_channel" })).toHaveCount(0);
  expect(await viewer.content()).not.toContain(E2E_WEBHOOK_TOKEN);
});
