import { expect, seedConfig, test } from "./fixtures";

test("an editor defines a boolean and a numeric score on a config page; a viewer sees them and cannot add one", async ({ pageAs }) => {
  const page = await pageAs("editor");
  const { key } = await seedConfig(page.request);
  await page.goto(`/configs/${key}`);
  const scores = page.getByRole("region", { name: "Scores", exact: true });
  await expect(scores.getByText("No custom scores yet.")).toBeVisible();

  // A boolean guardrail with the default threshold.
  await scores.getByRole("button", { name: "Add score" }).click();
  let dialog = page.getByRole("dialog", { name: "Add a score" });
  await dialog.getByLabel("Key", { exact: true }).fill("valid_json");
  await dialog.getByLabel("Kind", { exact: true }).selectOption("boolean");
  await dialog.getByLabel("Label", { exact: true }).fill("Valid JSON");
  await expect(dialog.getByText("pass rate may drop by at most 2 points (the default)")).toBeVisible();
  await dialog.getByRole("button", { name: "Add score" }).click();
  await expect(dialog).toBeHidden();
  const validJson = scores.getByRole("row", { name: /valid_json/ });
  await expect(validJson).toContainText("Valid JSON");
  await expect(validJson).toContainText("true or false");
  await expect(validJson).toContainText("guardrail");
  await expect(validJson).toContainText("pass rate may drop by at most 2 points");

  // A numeric one with its own threshold; a range the server refuses first gets its message.
  await scores.getByRole("button", { name: "Add score" }).click();
  dialog = page.getByRole("dialog", { name: "Add a score" });
  await dialog.getByLabel("Key", { exact: true }).fill("groundedness");
  await dialog.getByLabel("Label", { exact: true }).fill("Groundedness");
  await dialog.getByLabel("Minimum", { exact: true }).fill("1");
  await dialog.getByLabel("Maximum", { exact: true }).fill("0");
  await dialog.getByLabel("Threshold", { exact: true }).selectOption("difference");
  await dialog.getByLabel("Worse by, at most", { exact: true }).fill("0.03");
  await dialog.getByRole("button", { name: "Add score" }).click();
  await expect(dialog.getByText("must be greater than min").first()).toBeVisible();
  await dialog.getByLabel("Minimum", { exact: true }).fill("0");
  await dialog.getByLabel("Maximum", { exact: true }).fill("1");
  await expect(dialog.getByText("mean may drop by at most 0.03")).toBeVisible();
  await dialog.getByRole("button", { name: "Add score" }).click();
  await expect(dialog).toBeHidden();
  const groundedness = scores.getByRole("row", { name: /groundedness/ });
  await expect(groundedness).toContainText("0 to 1");
  await expect(groundedness).toContainText("higher is better");
  await expect(groundedness).toContainText("mean may drop by at most 0.03");

  // What the console shows is what the API stored.
  const stored = await (await page.request.get(`/api/admin/configs/${key}/scores`)).json();
  expect(stored.scores.map((s: { key: string; kind: string; threshold: unknown }) => [s.key, s.kind, s.threshold])).toEqual([
    ["valid_json", "boolean", { form: "difference", value: 0.02 }],
    ["groundedness", "numeric", { form: "difference", value: 0.03 }],
  ]);

  // A viewer reads the list and has nothing to act with; the server refuses what the UI hides.
  const viewer = await pageAs("viewer");
  await viewer.goto(`/configs/${key}`);
  const seen = viewer.getByRole("region", { name: "Scores", exact: true });
  await expect(seen.getByRole("row", { name: /valid_json/ })).toContainText("pass rate may drop by at most 2 points");
  await expect(seen.getByRole("row", { name: /groundedness/ })).toContainText("mean may drop by at most 0.03");
  await expect(seen.getByRole("button")).toHaveCount(0);
  const refused = await viewer.request.post(`/api/admin/configs/${key}/scores`, { data: { key: "sneaky", label: "Sneaky", kind: "boolean" } });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toContain("configs:write");

  // The editor deletes one after confirming.
  await scores.getByRole("button", { name: "Delete valid_json" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete score valid_json?" });
  await confirm.getByRole("button", { name: "Delete score" }).click();
  await expect(confirm).toBeHidden();
  await expect(scores.getByRole("row", { name: /valid_json/ })).toHaveCount(0);
  await expect(scores.getByRole("row", { name: /groundedness/ })).toBeVisible();
});
