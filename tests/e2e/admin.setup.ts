import { expect, test as setup, type Page } from "@playwright/test";
import { E2E_ADMIN, E2E_USERS, storageStateOf, type E2ERole } from "./constants";

// Signs each role in once and keeps its session for the specs (Playwright's setup project).

async function signIn(page: Page, role: E2ERole, credentials: { email: string; password: string }) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Configs", exact: true })).toBeVisible();
  await page.context().storageState({ path: storageStateOf(role) });
}

setup("sign in as the admin once and keep the session", async ({ page }) => {
  await signIn(page, "admin", E2E_ADMIN);
});

for (const [role, credentials] of Object.entries(E2E_USERS)) {
  setup(`sign in as the ${role} once and keep the session`, async ({ browser }) => {
    const context = await browser.newContext();
    await signIn(await context.newPage(), role as E2ERole, credentials);
    await context.close();
  });
}
