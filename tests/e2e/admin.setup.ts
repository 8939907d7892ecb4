import { expect, test as setup } from "@playwright/test";
import { E2E_ADMIN, E2E_USERS, storageStateOf, type E2ERole } from "./constants";

// Signs each role in once and keeps its session for the specs (Playwright's setup project).

for (const [role, credentials] of Object.entries({ admin: E2E_ADMIN, ...E2E_USERS })) {
  setup(`sign in as the ${role} once and keep the session`, async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(credentials.email);
    await page.getByLabel("Password").fill(credentials.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Configs", exact: true })).toBeVisible();
    await page.context().storageState({ path: storageStateOf(role as E2ERole) });
  });
}
