import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, uniqueKey } from "./fixtures";

test("an operator adds a signed webhook channel, sends a test that a real receiver gets, and reads the delivery log", async ({ pageAs }) => {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/canary`;
  const name = uniqueKey("ops-webhook");
  const secret = "webhook-signing-secret-1";
  try {
    const page = await pageAs("operator");
    await page.goto("/settings");
    await expect(page.getByRole("heading", { name: "Users and roles" })).toHaveCount(0); // an operator manages alerts only
    await page.getByRole("button", { name: "Add channel" }).click();
    const dialog = page.getByRole("dialog", { name: "Add alert channel" });
    await dialog.getByLabel("Name").fill(name);
    await dialog.getByLabel("URL").fill(url);
    await dialog.getByLabel("Signing secret (optional)").fill(secret);
    await dialog.getByLabel("auto_rollback").check();
    await dialog.getByRole("button", { name: "Save channel" }).click();
    await expect(dialog).toBeHidden();

    const item = page.getByRole("listitem").filter({ hasText: name });
    await expect(item).toContainText("Events: auto_rollback");
    await item.getByRole("button", { name: `Send a test alert to ${name}` }).click();
    await expect(item.getByRole("status")).toHaveText("Test delivered (HTTP 200)");

    expect(received).toHaveLength(1);
    const [{ headers, body }] = received;
    const expected = createHmac("sha256", secret).update(`${headers["x-llm-canary-timestamp"]}.${body}`).digest("hex");
    expect(headers["x-llm-canary-signature"]).toBe(`sha256=${expected}`);
    expect(JSON.parse(body)).toMatchObject({ event: "test" });

    await item.getByRole("button", { name: "Delivery log" }).click();
    await expect(item.getByRole("row").filter({ hasText: "test" })).toContainText("delivered");

    // Muting it through the edit dialog.
    await item.getByRole("button", { name: `Edit ${name}` }).click();
    const edit = page.getByRole("dialog", { name: `Edit ${name}` });
    await edit.getByLabel("Enabled (unchecked: muted)").uncheck();
    await edit.getByRole("button", { name: "Save channel" }).click();
    await expect(item).toContainText("muted");
  } finally {
    receiver.close();
  }
});
