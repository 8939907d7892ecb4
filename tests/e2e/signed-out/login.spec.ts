import { expect, test } from "@playwright/test";
import { E2E_ADMIN } from "../constants";

test("a console page sends a signed-out visitor to the login page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { name: "Sign in to LLM Canary" })).toBeVisible();
});

test("a wrong password gets a clear message and no session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong e-mail or password.");
  await expect(page.getByLabel("E-mail")).toHaveValue(E2E_ADMIN.email);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("the admin API refuses a request without a session or key", async ({ request }) => {
  const res = await request.get("/api/admin/configs");
  expect(res.status()).toBe(401);
  expect((await res.json()).error.code).toBe("unauthorized");
});

test("/api/health reports the database the app runs on, its applied migrations and the live routing snapshot", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe("ok");
  expect(body.database.kind).toBe("server"); // serve.ts runs it on DATABASE_URL
  expect(body.database.migrations.applied.length).toBeGreaterThan(0);
  expect(body.database.migrations.pending).toEqual([]);
  // The snapshot lives in the custom server's module graph; health runs in Next's bundle.
  expect(body.clientApi.snapshot).toMatchObject({ state: "live", loadedAt: expect.any(String) });
  expect(body.gateway.recorder).toMatchObject({ buffered: expect.any(Number), inFlight: expect.any(Number), delivered: expect.any(Number), dropped: 0 });
});

// Browsers read `\` as `/` and drop tabs, so each of these is a link to another site although it
// starts with one slash; after signing in the browser must stay here.
for (const callbackUrl of ["/\\evil.example/", "/\t/evil.example", "//evil.example", "https://evil.example/"]) {
  test(`signing in with callbackUrl ${JSON.stringify(callbackUrl)} stays on this site`, async ({ page, baseURL }) => {
    await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    await page.getByLabel("E-mail").fill(E2E_ADMIN.email);
    await page.getByLabel("Password").fill(E2E_ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Configs", exact: true })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
    expect(new URL(page.url()).pathname).toBe("/");
  });
}
