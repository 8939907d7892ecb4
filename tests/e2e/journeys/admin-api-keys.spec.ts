import { expect, test, uniqueKey } from "./fixtures";

test("an admin creates an API key, sees it once, and revokes it", async ({ pageAs }) => {
  const page = await pageAs("admin");
  const name = uniqueKey("checkout-service");
  await page.goto("/settings");
  await page.getByRole("button", { name: "Create API key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create key" }).click();

  const shown = page.getByRole("dialog", { name: "Your new API key" });
  const key = (await shown.getByLabel("New API key").textContent())!.trim();
  expect(key).toMatch(/^[a-z]+_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/);
  await shown.getByRole("button", { name: "Done" }).click();

  // The key works on the client API (an unknown config is a 404, not a 401).
  const call = () => page.request.post("/api/route", { headers: { authorization: `Bearer ${key}` }, data: { config: "no-such-config", userId: "u1" } });
  expect((await call()).status()).toBe(404);

  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("active");
  await expect(row).not.toContainText(key.split("_")[2]); // the secret is never listed
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await page.getByRole("dialog", { name: `Revoke "${name}"?` }).getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toContainText("revoked");

  // Revocation reaches the client API asynchronously (NOTIFY): asked until it answers 401.
  await expect.poll(async () => (await call()).status()).toBe(401);
});
