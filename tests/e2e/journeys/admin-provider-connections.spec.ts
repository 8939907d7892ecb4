import { startProviderProcess } from "../../helpers/openai-compatible-process";
import { E2E_PROVIDER_HEADER_VALUE, E2E_PROVIDER_KEY } from "../constants";
import { expect, seedConfig, test, uniqueKey } from "./fixtures";

// An admin adds a connection to the OpenAI-compatible test server (a process of its own on
// 127.0.0.1, which the e2e server's policy allows), tests it, changes it without retyping the key,
// sees a wrong key refused with the endpoint's words (the key blotted out), and deletes it. The
// key and the header value never reach a page or an answer; the final checks search the audit log
// and the server's log for them too.

test("an admin adds a provider connection, tests it against a real endpoint, edits and deletes it; its key is never shown", async ({ pageAs }) => {
  test.setTimeout(120_000); // a dozen round trips, several of them to the test provider
  const provider = await startProviderProcess({ apiKey: E2E_PROVIDER_KEY });
  const name = uniqueKey("local-llm");
  const wrongKey = "sk-e2eWrongProviderKey-0123456789";
  try {
    const page = await pageAs("admin");
    const answers: string[] = [];
    page.on("response", async (response) => {
      if (response.url().includes("/api/admin/providers")) answers.push(await response.text().catch(() => ""));
    });
    await page.goto("/settings");
    await page.getByRole("button", { name: "Add connection" }).click();
    const dialog = page.getByRole("dialog", { name: "Add provider connection" });
    await dialog.getByLabel("Name", { exact: true }).fill(name);
    await dialog.getByLabel("Base URL").fill(`${provider.origin}/v1`);
    await dialog.getByLabel("API key").fill(E2E_PROVIDER_KEY);
    await dialog.getByRole("button", { name: "Add header" }).click();
    await dialog.getByLabel("Header 1 name").fill("X-Team");
    await dialog.getByLabel("Header 1 value").fill(E2E_PROVIDER_HEADER_VALUE);
    await dialog.getByRole("button", { name: "Save connection" }).click();
    await expect(dialog).toBeHidden();

    const item = page.getByRole("listitem").filter({ hasText: name });
    await expect(item).toContainText(`key …${E2E_PROVIDER_KEY.slice(-4)}`);
    await expect(item).toContainText("Extra headers: X-Team");
    await item.getByRole("button", { name: `Test ${name}` }).click();
    await expect(item.getByRole("status")).toContainText(/Connected in \d+ ms: 3 models \(test-chat, test-chat-mini, test-judge\)/);
    const seen = (await (await fetch(`${provider.origin}/_requests`)).json()) as { requests: { headers: Record<string, string> }[] };
    expect(seen.requests.at(-1)!.headers).toMatchObject({ authorization: `Bearer ${E2E_PROVIDER_KEY}`, "x-team": E2E_PROVIDER_HEADER_VALUE });

    // A version names the connection it is called through; its page shows the connection's name.
    const { key, v1 } = await seedConfig(page.request);
    await page.goto(`/configs/${key}/versions/new?from=${v1.id}`);
    await page.getByLabel("Provider connection").selectOption({ label: name });
    await page.getByRole("button", { name: "Save as new version" }).click();
    await expect(page).toHaveURL(new RegExp(`/configs/${key}/versions/ver_`));
    await expect(page.getByRole("definition").filter({ hasText: name })).toBeVisible();
    await page.goto("/settings");

    // Renamed with the key and header left blank: both stay, and the test still connects.
    await item.getByRole("button", { name: `Edit ${name}` }).click();
    let edit = page.getByRole("dialog", { name: `Edit ${name}` });
    await expect(edit.getByLabel("API key")).toHaveValue("");
    await expect(edit.getByText(`A key ending in …${E2E_PROVIDER_KEY.slice(-4)} is stored; leave blank to keep it.`)).toBeVisible();
    await edit.getByLabel("Name", { exact: true }).fill(`${name}-b`);
    await edit.getByRole("button", { name: "Save connection" }).click();
    await expect(edit).toBeHidden();
    const renamed = page.getByRole("listitem").filter({ hasText: `${name}-b` });
    await expect(renamed).toBeVisible();
    await renamed.getByRole("button", { name: `Test ${name}-b` }).click();
    await expect(renamed.getByRole("status")).toContainText("Connected in");

    // A wrong key: the endpoint refuses it and repeats it; the page shows its words without it.
    await renamed.getByRole("button", { name: `Edit ${name}-b` }).click();
    edit = page.getByRole("dialog", { name: `Edit ${name}-b` });
    await edit.getByLabel("API key").fill(wrongKey);
    await edit.getByRole("button", { name: "Save connection" }).click();
    await expect(edit).toBeHidden();
    await renamed.getByRole("button", { name: `Test ${name}-b` }).click();
    await expect(renamed.getByRole("status")).toHaveText("Test failed: The endpoint answered HTTP 401: Incorrect API key provided: ***. You can find your API key at https://example.test/keys.");

    // Refused by the outbound policy at save: the link-local metadata address.
    await renamed.getByRole("button", { name: `Edit ${name}-b` }).click();
    edit = page.getByRole("dialog", { name: `Edit ${name}-b` });
    await edit.getByLabel("Base URL").fill("http://169.254.169.254/latest");
    await edit.getByRole("button", { name: "Save connection" }).click();
    await expect(edit.getByText(/must point at a public address; 169\.254\.169\.254 is a link-local address/).first()).toBeVisible();
    await edit.getByRole("button", { name: "Cancel" }).click();

    for (const text of [await page.content(), ...answers]) {
      for (const secret of [E2E_PROVIDER_KEY, E2E_PROVIDER_HEADER_VALUE, wrongKey]) expect(text).not.toContain(secret);
    }

    await page.goto("/audit?action=provider.*");
    await expect(page.getByRole("row").filter({ hasText: "provider.create" }).first()).toBeVisible();
    for (const secret of [E2E_PROVIDER_KEY, E2E_PROVIDER_HEADER_VALUE, wrongKey]) expect(await page.content()).not.toContain(secret);

    await page.goto("/settings");
    const gone = page.getByRole("listitem").filter({ hasText: `${name}-b` });
    await gone.getByRole("button", { name: `Delete ${name}-b` }).click();
    await page.getByRole("dialog", { name: `Delete "${name}-b"?` }).getByRole("button", { name: "Delete connection" }).click();
    await expect(gone).toHaveCount(0);
  } finally {
    await provider.stop();
  }
});
