import { expect, test as setup } from "@playwright/test";
import { E2E_ADMIN } from "./constants";

setup("sign in as the admin once and keep the session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Configs", exact: true })).toBeVisible();
  await page.context().storageState({ path: "tests/.e2e/admin.json" });
});
