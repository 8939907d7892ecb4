import { expect, test, uniqueKey } from "./fixtures";

// A refused submit keeps everything the person typed, and the message names the fields by the
// labels on screen, never by the API's names or in backticks.

test("a mismatched new password keeps all three fields, and the next submit works", async ({ pageAs, browser }) => {
  const admin = await pageAs("admin");
  const email = `${uniqueKey("password")}@e2e.test`;
  const created = await admin.request.post("/api/admin/users", { data: { email, role: "viewer" } });
  expect(created.status()).toBe(201);
  const { generatedPassword } = (await created.json()) as { generatedPassword: string };

  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password").fill(generatedPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/account\/password/);

    const current = page.getByLabel("Current password");
    const fresh = page.getByLabel("New password", { exact: true });
    const again = page.getByLabel("New password again");
    const alert = page.locator("form").getByRole("alert");
    const save = page.getByRole("button", { name: "Save new password" });

    await current.fill(generatedPassword);
    await fresh.fill("a passphrase of mine 7");
    await again.fill("a passphrase of mine 8");
    await save.click();
    await expect(alert).toHaveText("New password and New password again differ: type the same password in both.");
    await expect(current).toHaveValue(generatedPassword);
    await expect(fresh).toHaveValue("a passphrase of mine 7");
    await expect(again).toHaveValue("a passphrase of mine 8");

    // The server's own refusal, in the form's words, keeps them too.
    await fresh.fill("too short");
    await again.fill("too short");
    await save.click();
    await expect(alert).toHaveText("New password must be at least 12 characters.");
    await expect(current).toHaveValue(generatedPassword);
    await expect(again).toHaveValue("too short");

    // Only the mistyped field is retyped: the current password was kept, so this submit works.
    await fresh.fill("a passphrase of mine 7");
    await again.fill("a passphrase of mine 7");
    await save.click();
    await expect(page.getByRole("heading", { name: "Configs", exact: true })).toBeVisible();
  } finally {
    await context.close();
  }
});

test("the new-config dialog keeps its fields on a refusal and names the field by its label", async ({ pageAs }) => {
  const page = await pageAs("editor");
  const key = uniqueKey("kept");
  await page.goto("/");
  await page.getByRole("button", { name: "New config" }).click();
  const dialog = page.getByRole("dialog", { name: "New config" });
  await dialog.getByLabel("Key").fill("Not A Key!");
  await dialog.getByLabel("Name").fill(`Kept ${key}`);
  await dialog.getByLabel("Description").fill("typed once");
  await dialog.getByRole("button", { name: "Create config" }).click();

  const alert = dialog.getByRole("alert");
  await expect(alert).toHaveText("Key must be 1-64 lower-case letters, digits and inner hyphens, like support-chat.");
  await expect(dialog.getByLabel("Key")).toHaveValue("Not A Key!");
  await expect(dialog.getByLabel("Name")).toHaveValue(`Kept ${key}`);
  await expect(dialog.getByLabel("Description")).toHaveValue("typed once");

  await dialog.getByLabel("Key").fill(key);
  await dialog.getByRole("button", { name: "Create config" }).click();
  await expect(page).toHaveURL(new RegExp(`/configs/${key}$`));
});
