import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { E2E_FIRST_LOGIN_FILE } from "../constants";

test("a generated password works once: the console asks for a new one before anything else", async ({ page }) => {
  const { email, password } = JSON.parse(readFileSync(E2E_FIRST_LOGIN_FILE, "utf8")) as { email: string; password: string };
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account\/password/);
  await expect(page.getByText("signed in with a one-time password")).toBeVisible();

  // Still held there when trying the dashboard directly.
  await page.goto("/");
  await expect(page).toHaveURL(/\/account\/password/);

  await page.getByLabel("Current password").fill("wrong-password");
  await page.getByLabel("New password", { exact: true }).fill("my own passphrase 1");
  await page.getByLabel("New password again").fill("my own passphrase 1");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Current password is not your current password.");
  // Nothing the person typed is cleared by a refusal.
  await expect(page.getByLabel("New password again")).toHaveValue("my own passphrase 1");

  await page.getByLabel("Current password").fill(password);
  await page.getByLabel("New password", { exact: true }).fill("my own passphrase 1");
  await page.getByLabel("New password again").fill("my own passphrase 1");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expect(page.getByRole("heading", { name: "Configs", exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong e-mail or password.");
});
