import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { E2E_ADMIN } from "../constants";

test("the dashboard lists configs from the database", async ({ page }) => {
  const key = `e2e-${randomBytes(4).toString("hex")}`;
  const created = await page.request.post("/api/admin/configs", { data: { key, name: `Chat ${key}` } });
  expect(created.status()).toBe(201);

  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  // Its header names who is signed in (the list may name the admin too, as who rolled a config back).
  await expect(page.getByRole("banner").getByText(E2E_ADMIN.email, { exact: true })).toBeVisible();
  const row = page.getByRole("row", { name: new RegExp(key) });
  await expect(row).toContainText(`Chat ${key}`);
  await expect(row).toContainText("none yet");
});

test("signing out ends that session, copies of its cookie included, and no other", async ({ browser, page }) => {
  // A session of its own: signing out the saved one would end it for every other test.
  const signedOut = { cookies: [], origins: [] };
  const context = await browser.newContext({ storageState: signedOut });
  const own = await context.newPage();
  await own.goto("/login");
  await own.getByLabel("E-mail").fill(E2E_ADMIN.email);
  await own.getByLabel("Password").fill(E2E_ADMIN.password);
  await own.getByRole("button", { name: "Sign in" }).click();
  await expect(own.getByRole("heading", { name: "Configs", exact: true })).toBeVisible();
  const copy = (await context.cookies()).filter((c) => c.name.startsWith("authjs.session-token"));
  expect(copy).not.toEqual([]);

  await own.getByRole("button", { name: "Sign out" }).click();
  await expect(own).toHaveURL(/\/login/);
  await own.goto("/");
  await expect(own).toHaveURL(/\/login/);
  expect((await own.request.get("/api/admin/configs")).status()).toBe(401);

  const elsewhere = await browser.newContext({ storageState: signedOut });
  await elsewhere.addCookies(copy);
  expect((await elsewhere.request.get("/api/admin/configs")).status()).toBe(401);
  expect((await page.request.get("/api/admin/configs")).status()).toBe(200);
  await Promise.all([context.close(), elsewhere.close()]);
});
