import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { E2E_ADMIN } from "../constants";

test("the dashboard lists configs from the database", async ({ page }) => {
  const key = `e2e-${randomBytes(4).toString("hex")}`;
  const created = await page.request.post("/api/admin/configs", { data: { key, name: `Chat ${key}` } });
  expect(created.status()).toBe(201);

  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByText(E2E_ADMIN.email)).toBeVisible();
  const row = page.getByRole("row", { name: new RegExp(key) });
  await expect(row).toContainText(`Chat ${key}`);
  await expect(row).toContainText("none yet");
});

test("signing out ends the session", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  expect((await page.request.get("/api/admin/configs")).status()).toBe(401);
});
