import { expect, seedConfig, test } from "./fixtures";

test("a viewer sees no action buttons, and the admin API refuses the viewer's session", async ({ pageAs }) => {
  const admin = await pageAs("admin");
  const { key, v2, rollout } = await seedConfig(admin.request, { rollout: true, include: ["vip-user"] });
  const page = await pageAs("viewer");

  await page.goto("/");
  await expect(page.getByRole("row", { name: new RegExp(key) })).toBeVisible();
  await expect(page.getByRole("button", { name: "New config" })).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" })).toHaveCount(0);

  await page.goto(`/configs/${key}`);
  await expect(page.getByRole("heading", { name: `Chat ${key}` })).toBeVisible();
  await expect(page.getByRole("link", { name: /New version|Edit as new/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Start canary" })).toHaveCount(0);
  // Reading is allowed: which version a user gets, and why.
  await page.getByLabel("User id").fill("vip-user");
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "vip-user" })).toContainText("gets v2 (canary) because the user is on the rollout's always-canary list");

  await page.goto(`/configs/${key}/versions/${v2.id}`);
  await expect(page.getByRole("list", { name: "Changed fields" })).toBeVisible();
  await expect(page.getByRole("button")).toHaveCount(1); // Sign out, and nothing else

  await page.goto(`/rollouts/${rollout!.id}`);
  await expect(page.getByRole("heading", { name: "Guardrails" })).toBeVisible();
  await expect(page.getByRole("group", { name: "Rollout actions" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Promote|Rollback|Pause|Advance/ })).toHaveCount(0);

  // What the UI hides, the server refuses.
  const direct = await page.request.post(`/api/admin/rollouts/${rollout!.id}/rollback`, { data: { reason: "viewer tries" } });
  expect(direct.status()).toBe(403);
  expect((await direct.json()).error.message).toContain("rollouts:operate");
  const state = await (await admin.request.get(`/api/admin/rollouts/${rollout!.id}`)).json();
  expect(state.status).toBe("running");
});
