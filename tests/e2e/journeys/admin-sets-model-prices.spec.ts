import { expect, test, uniqueKey } from "./fixtures";

test("an admin adds, corrects and removes a model price; an operator reads prices without changing them", async ({ pageAs }) => {
  const model = `acme/${uniqueKey("chat")}`;
  const page = await pageAs("admin");
  await page.goto("/settings");
  const section = page.getByRole("region", { name: "Model prices", exact: true });
  await expect(section.getByRole("listitem").filter({ hasText: "gpt-4o-mini" })).toContainText("$0.15 input · $0.60 output per million tokens");

  await section.getByRole("button", { name: "Add price" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a model price" });
  await dialog.getByLabel("Model").fill(model);
  await dialog.getByLabel("Input, USD per million tokens").fill("-1");
  await dialog.getByLabel("Output, USD per million tokens").fill("1.5");
  await dialog.getByRole("button", { name: "Save price" }).click();
  // The message names the field as the form does, and what was typed stays.
  await expect(dialog.getByText("must be 0 or more", { exact: true })).toBeVisible();
  await expect(dialog.getByRole("alert")).toContainText("Input, USD per million tokens");
  await expect(dialog.getByLabel("Model")).toHaveValue(model);
  await dialog.getByLabel("Input, USD per million tokens").fill("0.5");
  await dialog.getByRole("button", { name: "Save price" }).click();
  await expect(dialog).toBeHidden();
  const item = section.getByRole("listitem").filter({ hasText: model });
  await expect(item).toContainText("$0.50 input · $1.50 output per million tokens");

  await item.getByRole("button", { name: `Edit the price of ${model}` }).click();
  const edit = page.getByRole("dialog", { name: `Price of ${model}` });
  await edit.getByLabel("Output, USD per million tokens").fill("2");
  await edit.getByRole("button", { name: "Save price" }).click();
  await expect(item).toContainText("$0.50 input · $2.00 output per million tokens");

  const operator = await pageAs("operator");
  await operator.goto("/settings");
  const read = operator.getByRole("region", { name: "Model prices", exact: true });
  await expect(read.getByRole("listitem").filter({ hasText: model })).toContainText("$2.00 output");
  await expect(read.getByRole("button", { name: "Add price" })).toHaveCount(0);
  await expect(read.getByRole("button", { name: `Edit the price of ${model}` })).toHaveCount(0);

  await item.getByRole("button", { name: `Remove the price of ${model}` }).click();
  await expect(item).toHaveCount(0);
});
