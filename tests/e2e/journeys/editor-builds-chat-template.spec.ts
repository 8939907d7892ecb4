import path from "node:path";
import { SCREENSHOT_DIR } from "../constants";
import { expect, seriousAxeViolations, test, uniqueKey } from "./fixtures";

// An editor turns a one-prompt stable version into a chat template — a system message with a
// variable, a few-shot assistant turn, a user message with a variable — plus a tool, checks the
// preview, saves (a bad tool name first gets the server's message beside that input), reads the
// per-message diff against stable and starts a canary; an app then asks /api/route with variables
// and gets the rendered messages of its variant.

test("an editor builds a chat template with variables and a tool, previews, diffs per message, starts a canary; /api/route renders it", async ({ pageAs }) => {
  test.setTimeout(120_000);
  const page = await pageAs("editor");
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const key = uniqueKey("chat");
  const created = await page.request.post("/api/admin/configs", { data: { key, name: `Orders ${key}` } });
  expect(created.status()).toBe(201);
  const stable = await page.request.post(`/api/admin/configs/${key}/versions`, {
    data: { label: "v1", model: "gpt-4o-mini", systemPrompt: "You are a support agent.\nAnswer briefly.", temperature: 0.7, maxTokens: 512 },
  });
  expect(stable.status()).toBe(201);
  const v1 = (await stable.json()) as { id: string };

  // Edit as new, from stable.
  await page.goto(`/configs/${key}/versions/${v1.id}`);
  await page.getByRole("link", { name: "Edit as new version" }).click();
  await expect(page.getByLabel("Label", { exact: true })).toHaveValue("v2");
  const content = (n: number) => page.getByRole("textbox", { name: `Message ${n} Content` });
  await expect(content(1)).toHaveText("You are a support agent.Answer briefly.");
  await content(1).fill("You are a support agent for {{company}}.\nAnswer briefly.");

  // The user message first, then the assistant's example, which the keyboard moves above it.
  await page.getByRole("button", { name: "Add message", exact: true }).click();
  await expect(page.getByLabel("Message 2 role")).toHaveValue("user");
  await content(2).fill("Where is order {{order_id}}?");
  await page.getByRole("button", { name: "Add message", exact: true }).click();
  await expect(page.getByLabel("Message 3 role")).toHaveValue("assistant");
  await content(3).fill("Hello! I can look up any order by its number.");
  await page.getByRole("button", { name: "Move message 3 up" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Move message 2 up" })).toBeFocused();
  await expect(page.getByLabel("Message 2 role")).toHaveValue("assistant");
  await expect(page.getByLabel("Message 3 role")).toHaveValue("user");
  // The code editor leaves Tab to the page: the keyboard moves on instead of being trapped.
  await content(3).focus();
  await page.keyboard.press("Tab");
  await expect(content(3)).not.toBeFocused();
  // The variable is highlighted in the editor (CodeMirror's injected styles apply under the CSP).
  await expect(content(3).getByText("{{order_id}}")).toHaveCSS("background-color", "rgb(254, 243, 199)");

  // The variables the template uses, with a sample value and a default; the preview renders them.
  const variables = page.getByRole("list", { name: "Variables" });
  await expect(variables.getByRole("listitem")).toHaveCount(2);
  await expect(variables).toContainText("company");
  await expect(variables).toContainText("order_id");
  await page.getByLabel("Default for company").fill("Acme");
  const rendered = page.getByRole("list", { name: "Rendered messages" });
  await expect(rendered.getByRole("listitem", { name: "Rendered message 3" })).toContainText("Needs a value for order_id");
  await page.getByLabel("Sample value for order_id").fill("A-1001");
  await expect(rendered.getByRole("listitem", { name: "Rendered message 1" })).toContainText("You are a support agent for Acme.");
  await expect(rendered.getByRole("listitem", { name: "Rendered message 3" })).toContainText("Where is order A-1001?");

  // A tool: JSON that does not parse is flagged while typing; a name the server refuses is shown by that input.
  await page.getByRole("button", { name: "Add tool" }).click();
  const tool = page.getByRole("listitem", { name: "Tool 1" });
  await page.getByLabel("Tool 1 Name").fill("lookup order");
  await page.getByLabel("Tool 1 Description").fill("Finds an order by its number");
  const parameters = page.getByRole("textbox", { name: "Tool 1 Parameters (JSON Schema)" });
  await parameters.fill('{"type": "object", "properties": {"order_id": {"type": "string"}},');
  await expect(tool.getByText(/^is not valid JSON/)).toBeVisible();
  await parameters.fill('{\n  "type": "object",\n  "properties": {"order_id": {"type": "string", "description": "Like A-1001"}},\n  "required": ["order_id"]\n}');
  await expect(tool.getByText(/^is not valid JSON/)).toHaveCount(0);
  await page.getByLabel("Description", { exact: true }).fill("Few-shot example and order lookup");
  await page.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByLabel("Tool 1 Name")).toHaveAccessibleDescription(/must be 1-64 letters, digits, underscores or hyphens/);
  await page.getByLabel("Tool 1 Name").fill("lookup_order");
  await page.getByLabel("Tool choice").selectOption("auto");
  // The README's picture of the editor: the messages beside their variables and preview.
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.getByRole("heading", { name: "Messages" }).evaluate((heading) => heading.scrollIntoView());
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, "version-editor.png") });
  await page.setViewportSize({ width: 1280, height: 720 });
  expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  expect(await seriousAxeViolations(page), "axe on the editor with messages, variables and a tool").toEqual([]);
  await page.getByRole("button", { name: "Save as new version" }).click();

  // The version page: its structure, and the diff against stable message by message.
  await expect(page.getByRole("heading", { name: /^v2/ })).toBeVisible();
  const changes = page.getByRole("list", { name: "Changed fields" });
  await expect(changes).toContainText("message 1 (system) changed");
  await expect(changes).toContainText("message 2 (assistant) added");
  await expect(changes).toContainText("message 3 (user) added");
  await expect(changes).toContainText("tool lookup_order added with parameters order_id (required)");
  const diff = page.getByRole("list", { name: "Messages", exact: true });
  const system = diff.getByRole("listitem", { name: "Message 1 (system)" });
  await expect(system.getByRole("row", { name: "removed: You are a support agent." })).toBeVisible();
  await expect(system.getByRole("row", { name: "added: You are a support agent for {{company}}." })).toBeVisible();
  await expect(diff.getByRole("listitem", { name: "Message 3 (user)" })).toContainText("added");
  await expect(page.getByRole("listitem", { name: "Tool lookup_order" })).toContainText("Like A-1001");
  await expect(page.getByRole("listitem", { name: "Message 3: user" }).getByText("{{order_id}}")).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 1100 });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, "version-diff.png") });
  await page.setViewportSize({ width: 1280, height: 720 });
  expect(await seriousAxeViolations(page), "axe on the version page with its diff").toEqual([]);

  // A canary of it; one user always gets it, another never.
  await page.getByRole("button", { name: "Start canary with v2" }).click();
  const start = page.getByRole("dialog", { name: /Start a canary/ });
  await start.getByLabel("Always canary (user ids)").fill("qa-canary");
  await start.getByLabel("Never canary (user ids)").fill("qa-stable");
  await start.getByRole("button", { name: "Start canary" }).click();
  await expect(page).toHaveURL(/\/rollouts\/ro_/);

  // The app asks /api/route with variables and gets its variant's messages rendered.
  const admin = await pageAs("admin");
  const made = await admin.request.post("/api/admin/api-keys", { data: { name: uniqueKey("chat-app"), scopes: ["route"] } });
  expect(made.status()).toBe(201);
  const apiKey = ((await made.json()) as { key: string }).key;
  const route = async (userId: string) => {
    const res = await page.request.post("/api/route", { headers: { authorization: `Bearer ${apiKey}` }, data: { config: key, userId, variables: { order_id: "A-1001" } } });
    expect(res.status(), await res.text()).toBe(200);
    return (await res.json()) as { variant: string; versionLabel: string; llm: { systemPrompt: string; rendered?: unknown } };
  };
  await expect.poll(async () => (await route("qa-canary")).variant).toBe("canary");
  const canary = await route("qa-canary");
  expect(canary.versionLabel).toBe("v2");
  expect(canary.llm.systemPrompt).toBe("You are a support agent for {{company}}.\nAnswer briefly.");
  expect(canary.llm.rendered).toEqual([
    { role: "system", content: "You are a support agent for Acme.\nAnswer briefly." },
    { role: "assistant", content: "Hello! I can look up any order by its number." },
    { role: "user", content: "Where is order A-1001?" },
  ]);
  const stableAnswer = await route("qa-stable");
  expect(stableAnswer.variant).toBe("stable");
  expect(stableAnswer.llm.rendered).toEqual([{ role: "system", content: "You are a support agent.\nAnswer briefly." }]);
});

/** axe's serious and critical WCAG 2 A/AA findings on the page as it is now (the accessibility spec's rule). */
