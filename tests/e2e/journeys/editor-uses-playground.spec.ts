import path from "node:path";
import { startProviderProcess } from "../../helpers/openai-compatible-process";
import { E2E_PROVIDER_KEY, SCREENSHOT_DIR } from "../constants";
import { expect, seriousAxeViolations, test, uniqueKey } from "./fixtures";

// An editor runs two versions side by side in the playground against the OpenAI-compatible test
// server (a process of its own on 127.0.0.1, which the e2e server's policy allows): v1 through
// the connection it names, v2 through one picked on the page. Both answers stream in with their
// tokens and cost; the editor then edits v2's system message in its column and saves it as a new
// version. A slow column stopped from the page is kept as stopped. The runs are listed below; the
// README's playground picture is taken here.

test("an editor runs two versions side by side against a real provider, sees both answers with tokens and cost, saves an edited column as a new version, and stops a slow run", async ({ pageAs }) => {
  test.setTimeout(120_000); // three runs, two stops, a saved version: 46 s in CI, near the default 60 s
  const provider = await startProviderProcess({ apiKey: E2E_PROVIDER_KEY });
  try {
    // An admin adds the connection (editors may pick connections, not create them).
    const admin = await pageAs("admin");
    const connection = uniqueKey("local-llm");
    const added = await admin.request.post("/api/admin/providers", { data: { name: connection, baseUrl: `${provider.origin}/v1`, apiKey: E2E_PROVIDER_KEY } });
    expect(added.status(), await added.text()).toBe(201);
    const providerId = ((await added.json()) as { id: string }).id;

    const page = await pageAs("editor");
    const key = uniqueKey("play");
    const post = async (url: string, data: unknown) => {
      const res = await page.request.post(url, { data });
      expect(res.status(), await res.text()).toBe(201);
      return (await res.json()) as { id: string };
    };
    await post("/api/admin/configs", { key, name: `Router help ${key}` });
    const system = (text: string) => [{ role: "system", content: text }];
    await post(`/api/admin/configs/${key}/versions`, { label: "v1", model: "gpt-4o-mini", providerId, messages: system("You help customers with {{product}}."), temperature: 0.3, maxTokens: 256 });
    const v2 = await post(`/api/admin/configs/${key}/versions`, { label: "v2", model: "gpt-4o-mini", messages: system("You help customers with {{product}}. Be brief."), temperature: 0.7, maxTokens: 256 });

    await page.goto(`/configs/${key}`);
    await page.getByRole("link", { name: "Playground" }).click();
    await expect(page.getByRole("heading", { name: "Playground", level: 1 })).toBeVisible();
    const column = (n: number) => page.getByRole("region", { name: `Column ${n}`, exact: true });
    await expect(column(1).getByLabel("Version", { exact: true })).toHaveValue(/^ver_/);
    await expect(column(1).getByLabel("Version", { exact: true }).locator("option:checked")).toHaveText("v1 · gpt-4o-mini");
    await expect(column(2).getByLabel("Version", { exact: true }).locator("option:checked")).toHaveText("v2 · gpt-4o-mini");
    await expect(column(1).getByLabel("Connection", { exact: true }).locator("option:checked")).toHaveText(`The version's: ${connection}`);
    await expect(column(2).getByLabel("Connection", { exact: true })).toHaveAccessibleDescription("This version names no connection: pick one to run it.");
    await column(2).getByLabel("Connection", { exact: true }).selectOption({ label: connection });

    await page.getByLabel("product", { exact: true }).fill("Acme Router");
    await page.getByLabel("User message").fill("How do I reset it?");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "2 columns finished in" })).toBeVisible();

    // Both answers with their numbers: the test provider counts words (6 of the system message or
    // 8, and 5 of the user message in; 6 out), priced at gpt-4o-mini's seeded price.
    for (const [n, input] of [[1, 11], [2, 13]] as const) {
      await expect(column(n).getByText("Echo: How do I reset it?")).toBeVisible();
      await expect(column(n).getByText(`v${n} · gpt-4o-mini via ${connection}`)).toBeVisible();
      await expect(column(n).getByRole("definition").filter({ hasText: " in · " })).toHaveText(`${input} in · 6 out`);
      const cost = (input * 0.15 + 6 * 0.6) / 1_000_000;
      await expect(column(n).getByRole("definition").filter({ hasText: "$" })).toHaveText(`$${cost.toPrecision(3)}`);
      await expect(column(n).getByRole("definition").filter({ hasText: /^\d+(\.\d+)? (ms|s)$/ }).first()).toBeVisible();
    }
    const runs = page.getByRole("list", { name: "Runs, newest first" });
    await expect(runs.getByRole("listitem").first()).toContainText("by editor@e2e.test · How do I reset it?");
    await expect(runs.getByRole("listitem").first()).toContainText(`v2 · gpt-4o-mini13 in · 6 out · $${((13 * 0.15 + 6 * 0.6) / 1_000_000).toPrecision(3)}`);
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.getByRole("heading", { name: "Inputs" }).evaluate((heading) => heading.scrollIntoView());
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "playground.png") });
    await page.setViewportSize({ width: 1280, height: 720 });

    // Through the real server the answer is a stream: each column's pieces, then its result.
    const streamed = await page.request.post(`/api/admin/configs/${key}/playground`, {
      data: { columns: [{ versionId: v2.id, providerId }], variables: { product: "Acme" }, userMessage: "one two three" },
      headers: { accept: "application/x-ndjson" },
    });
    expect(streamed.headers()["content-type"]).toMatch(/^application\/x-ndjson/);
    const events = (await streamed.text()).trim().split("\n").map((line) => JSON.parse(line) as { type: string });
    expect(events.map((e) => e.type)).toEqual(["start", "delta", "delta", "delta", "delta", "done", "run"]);

    // Edit v2's system message in its column and save the edits as a new version.
    await column(2).getByRole("button", { name: "Edit" }).click();
    await column(2).getByLabel("Message 1 (system)").fill("You help customers with {{product}}. Be brief and cite the manual.");
    // With answers, numbers and an edited column on it, the page passes axe and fits a phone.
    expect(await seriousAxeViolations(page), "axe on the playground after a run").toEqual([]);
    await page.setViewportSize({ width: 390, height: 800 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), { message: "no sideways scroll at 390 px" }).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 720 });
    await column(2).getByRole("button", { name: "Save column 2 as a new version" }).click();
    const dialog = page.getByRole("dialog", { name: "Save v2 with edits as a new version" });
    await expect(dialog.getByLabel("Label", { exact: true })).toHaveValue("v3");
    await dialog.getByRole("button", { name: "Save version" }).click();
    await expect(dialog).toBeHidden();
    await expect(column(2).getByRole("status")).toHaveText("Saved as v3.");
    const versions = (await (await page.request.get(`/api/admin/configs/${key}/versions`)).json()) as { versions: { label: string; messages: unknown; providerId: string; parentVersionId: string }[] };
    expect(versions.versions[0]).toMatchObject({ label: "v3", providerId, parentVersionId: v2.id, messages: system("You help customers with {{product}}. Be brief and cite the manual.") });

    // A slow column stopped from the page: the server stops calling it and keeps the run with what
    // came. Once after the run has started (its columns are named), once before the server has
    // even seen the request (held back here): that stop waits for the run to start, then stops it.
    await column(1).getByRole("button", { name: "Edit" }).click();
    await column(1).getByLabel("Model", { exact: true }).fill("slow-30000");
    for (const moment of ["after the start", "before the start"]) {
      const listed = runs.locator(":scope > li"); // a run's columns are list items too
      const runsBefore = await listed.count();
      const held = `**/api/admin/configs/${key}/playground`;
      if (moment === "before the start") {
        await page.route(held, async (route) => {
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          await route.continue();
        });
      }
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await expect(column(1).getByText("Waiting for the first token…")).toBeVisible();
      if (moment === "after the start") await expect(column(1).getByText("v1 (edited) · slow-30000 via")).toBeVisible();
      await page.getByRole("button", { name: "Stop" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Stopped; the run is kept with what had come." }), moment).toBeVisible();
      await expect(listed, moment).toHaveCount(runsBefore + 1);
      await expect(runs.getByRole("listitem").first(), moment).toContainText("v1 (edited) · slow-30000The run was stopped before this answer finished.");
      await page.unroute(held);
    }

    expect(await page.content()).not.toContain(E2E_PROVIDER_KEY);
  } finally {
    await provider.stop();
  }
});
