import OpenAI from "openai";
import { startProviderProcess } from "../../helpers/openai-compatible-process";
import { E2E_BASE_URL, E2E_PROVIDER_KEY } from "../constants";
import { expect, test, uniqueKey } from "./fixtures";

// An app reaches a config through the OpenAI-compatible gateway with the official `openai` client:
// the config starts keeping no samples (set through the API), an editor has it keep a share of
// requests and then every request's, and lets clients override sampling parameters; an admin makes a key with the
// `gateway` scope in Settings, the app's streamed call goes to the canary (its user is on the
// always-canary list) through the test provider, the app rates it under the request id the gateway
// answered with, and the rollout page shows that call among the canary's worst-rated samples — its
// input, its output and its time to first token — and says what the config keeps.

test("an app calls a config through the gateway with a key an admin made; the editor's sample policy keeps the call, shown with its rating", async ({ pageAs }) => {
  test.setTimeout(120_000);
  const provider = await startProviderProcess({ apiKey: E2E_PROVIDER_KEY });
  try {
    const admin = await pageAs("admin");
    const post = async (path: string, data: unknown) => {
      const res = await admin.request.post(path, { data });
      expect(res.status(), `${path}: ${await res.text()}`).toBe(201);
      return res.json() as Promise<{ id: string }>;
    };
    const key = uniqueKey("gw");
    const connection = await post("/api/admin/providers", { name: uniqueKey("gateway-llm"), baseUrl: `${provider.origin}/v1`, apiKey: E2E_PROVIDER_KEY });
    await post("/api/admin/configs", { key, name: `Gateway ${key}` });
    const version = (label: string, systemPrompt: string) => ({ label, model: "test-chat", providerId: connection.id, systemPrompt, temperature: 0.3, maxTokens: 64 });
    await post(`/api/admin/configs/${key}/versions`, version("v1", "You answer parcel questions."));
    const v2 = await post(`/api/admin/configs/${key}/versions`, version("v2", "You answer parcel questions kindly."));
    const rollout = await post(`/api/admin/configs/${key}/rollouts`, { canaryVersionId: v2.id, include: ["shopper-1"] });
    const none = await admin.request.patch(`/api/admin/configs/${key}`, { data: { samplePolicy: { keep: "none" } } });
    expect(none.status(), await none.text()).toBe(200);

    // The editor has the config keep a share of requests' samples, then every request's.
    const editor = await pageAs("editor");
    await editor.goto(`/configs/${key}`);
    const samples = editor.getByRole("region", { name: "Samples", exact: true });
    await expect(samples.getByLabel("Samples kept")).toHaveValue("none");
    await samples.getByLabel("Samples kept").selectOption({ label: "A share of requests" });
    await samples.getByLabel("Share of requests").selectOption({ label: "25 %" });
    const savePolicy = samples.getByRole("button", { name: "Save sample policy" });
    await savePolicy.click();
    await expect(savePolicy).toBeDisabled(); // saved: nothing left to save
    await editor.reload();
    await expect(samples.getByLabel("Samples kept")).toHaveValue("fraction");
    await expect(samples.getByLabel("Share of requests")).toHaveValue("0.25");
    await samples.getByLabel("Samples kept").selectOption({ label: "Every request" });
    await expect(samples.getByLabel("Share of requests")).toBeHidden();
    await savePolicy.click();
    await expect(savePolicy).toBeDisabled();

    // And lets clients override sampling parameters.
    const gateway = editor.getByRole("region", { name: "Gateway" });
    await expect(gateway).toContainText(`model: "${key}"`);
    await gateway.getByRole("checkbox", { name: /Clients may override/ }).check();
    const save = gateway.getByRole("button", { name: "Save gateway settings" });
    await save.click();
    await expect(save).toBeDisabled();
    await editor.reload();
    await expect(samples.getByLabel("Samples kept")).toHaveValue("all");
    await expect(gateway.getByRole("checkbox", { name: /Clients may override/ })).toBeChecked();

    // The admin makes a key for the app: the gateway to call, metrics to rate the answers later.
    await admin.goto("/settings");
    await admin.getByRole("button", { name: "Create API key" }).click();
    const dialog = admin.getByRole("dialog", { name: "Create API key" });
    await dialog.getByLabel("Name").fill(uniqueKey("shop-app"));
    await dialog.getByRole("checkbox", { name: /^route/ }).uncheck();
    await dialog.getByRole("checkbox", { name: /^gateway/ }).check();
    await dialog.getByRole("button", { name: "Create key" }).click();
    const shown = admin.getByRole("dialog", { name: "Your new API key" });
    const apiKey = (await shown.getByLabel("New API key").textContent())!.trim();
    await shown.getByRole("button", { name: "Done" }).click();

    // The app: the official client, streamed, pointed at the gateway.
    const client = new OpenAI({ baseURL: `${E2E_BASE_URL}/v1`, apiKey, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({ model: key, user: "shopper-1", stream: true, messages: [{ role: "user", content: "Where is my parcel?" }] })
      .withResponse();
    let answer = "";
    for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? "";
    expect(answer).toBe("Echo: Where is my parcel?");
    expect(response.headers.get("x-canary-variant")).toBe("canary");
    const requestId = response.headers.get("x-canary-request-id")!;

    // A poor rating, sent as soon as the outcome is stored (the gateway stores it within a second or so).
    const rate = () => admin.request.post("/api/feedback", { headers: { authorization: `Bearer ${apiKey}` }, data: { requestId, rating: 1, config: key } });
    await expect.poll(async () => (await rate()).status()).toBe(202);

    await admin.goto(`/rollouts/${rollout.id}`);
    await expect(admin.getByRole("region", { name: "Canary samples" })).toContainText("Samples are kept for every request (the config's sample policy); outcomes are kept 30 days.");
    const sample = admin.getByRole("listitem").filter({ hasText: requestId });
    await expect(sample).toContainText("rating 1/5");
    await expect(sample).toContainText(/first token \d+ ms/);
    await expect(sample.getByRole("definition").first()).toHaveText("Where is my parcel?");
    await expect(sample.getByRole("definition").nth(1)).toHaveText("Echo: Where is my parcel?");
  } finally {
    await provider.stop();
  }
});
