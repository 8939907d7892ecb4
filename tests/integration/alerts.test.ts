import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as channels from "@/app/api/admin/alert-channels/route";
import * as channelDeliveries from "@/app/api/admin/alert-channels/[id]/deliveries/route";
import * as channelOne from "@/app/api/admin/alert-channels/[id]/route";
import * as channelTest from "@/app/api/admin/alert-channels/[id]/test/route";
import * as configRollback from "@/app/api/admin/configs/[key]/rollback/route";
import * as rolloutAction from "@/app/api/admin/rollouts/[id]/[action]/route";
import { deliverDue } from "@/lib/alerts/dispatch";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

// Alerts against a real local HTTP receiver: what each channel kind receives, signatures,
// retries with backoff through a receiver that fails twice, event filters, muting, escaping, the
// test action and the delivery log. (The receiver is on 127.0.0.1: vitest.config.ts sets
// LLM_CANARY_ALLOW_PRIVATE_NETWORKS; the policy itself is tested in outbound-policy.test.ts.)

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

let db: TestDatabase;
let auth: string;
let hook: WebhookReceiver;

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  auth = await adminKey(db.prisma, ["admin"]);
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  hook?.close();
  await db?.close();
});
beforeEach(async () => {
  hook.received.length = 0;
  hook.answers = [];
  await db.prisma.alertChannel.updateMany({ data: { enabled: false } }); // each test hears only its own channels
});

async function channel(body: Record<string, unknown>) {
  const res = await call(channels.POST, "POST", { auth, body });
  expect(res.status).toBe(201);
  return res.body as { id: string; hasSecret: boolean };
}

async function activeRollout(key: string) {
  await createConfig(db.prisma, system, { key, name: key });
  await createVersion(db.prisma, system, key, { label: "v1", model: "gpt-4o", systemPrompt: "a", temperature: 0.5, maxTokens: 64 });
  const v2 = await createVersion(db.prisma, system, key, { label: "v2", model: "gpt-4o", systemPrompt: "b", temperature: 0.5, maxTokens: 64 });
  return startRollout(db.prisma, system, key, { canaryVersionId: v2.id });
}

describe("alerts", () => {
  it("sends a manual rollback to a signed webhook: JSON with the reason, HMAC over timestamp and body", async () => {
    const secret = "s3cret-for-hmac";
    const created = await channel({ name: "ops hook", kind: "webhook", url: `${hook.url}/hook`, secret });
    expect(created.hasSecret).toBe(true);
    expect(JSON.stringify((await call(channels.GET, "GET", { auth })).body)).not.toContain(secret);
    await activeRollout("alerted");
    expect((await call(configRollback.POST, "POST", { auth, params: { key: "alerted" }, body: { reason: "complaints up 30%" } })).status).toBe(200);
    expect(await deliverDue(db.prisma)).toBe(1);
    expect(hook.received).toHaveLength(1);
    const [hit] = hook.received;
    const payload = JSON.parse(hit.body);
    expect(payload).toMatchObject({ event: "manual_rollback", reason: "complaints up 30%", rollout: { configKey: "alerted", status: "rolled_back" } });
    expect(payload.title).toMatch(/rolled back alerted v2$/);
    const expected = createHmac("sha256", secret).update(`${hit.headers["x-llm-canary-timestamp"]}.${hit.body}`).digest("hex");
    expect(hit.headers["x-llm-canary-signature"]).toBe(`sha256=${expected}`);
  });

  it("retries a receiver that fails twice, with growing pauses, and logs every attempt", async () => {
    const { id } = await channel({ name: "flaky", kind: "webhook", url: `${hook.url}/flaky` });
    const rollout = await activeRollout("flaky-target");
    hook.answers = [500, 503];
    expect((await call(rolloutAction.POST, "POST", { auth, params: { id: rollout.id, action: "advance" } })).status).toBe(200);
    const t0 = new Date();
    await deliverDue(db.prisma, t0);
    let log = (await call(channelDeliveries.GET, "GET", { auth, params: { id } })).body.deliveries;
    expect(log[0]).toMatchObject({ event: "stage_advance", status: "pending", attempts: 1, lastStatus: 500 });
    expect(new Date(log[0].nextAttemptAt).getTime() - t0.getTime()).toBe(1000);
    expect(await deliverDue(db.prisma, new Date(t0.getTime() + 500))).toBe(0); // not due yet
    await deliverDue(db.prisma, new Date(t0.getTime() + 1_000));
    log = (await call(channelDeliveries.GET, "GET", { auth, params: { id } })).body.deliveries;
    expect(log[0]).toMatchObject({ attempts: 2, lastStatus: 503, lastError: "http_status" });
    expect(new Date(log[0].nextAttemptAt).getTime() - t0.getTime()).toBe(1_000 + 2_000);
    await deliverDue(db.prisma, new Date(t0.getTime() + 3_000));
    log = (await call(channelDeliveries.GET, "GET", { auth, params: { id } })).body.deliveries;
    expect(log[0]).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200, lastError: null });
    expect(hook.received.map((r) => r.path)).toEqual(["/flaky", "/flaky", "/flaky"]);
  });

  it("honours each channel's event filter, and a muted channel hears nothing", async () => {
    await channel({ name: "promotions only", kind: "webhook", url: `${hook.url}/promotions`, events: ["promote"] });
    const muted = await channel({ name: "muted", kind: "webhook", url: `${hook.url}/muted` });
    expect((await call(channelOne.PATCH, "PATCH", { auth, params: { id: muted.id }, body: { enabled: false } })).body.enabled).toBe(false);
    await activeRollout("filtered");
    await call(configRollback.POST, "POST", { auth, params: { key: "filtered" }, body: { reason: "test" } });
    await deliverDue(db.prisma);
    expect(hook.received).toEqual([]);
    const bad = await call(channels.POST, "POST", { auth, body: { name: "x", kind: "webhook", url: "ftp://nope", events: ["nope"] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(["url", "events.0"]);
  });

  it("speaks Slack and signed DingTalk, and the test action answers with the attempt", async () => {
    const slack = await channel({ name: "slack", kind: "slack", url: `${hook.url}/slack` });
    const ding = await channel({ name: "dingtalk", kind: "dingtalk", url: `${hook.url}/robot/send?access_token=abc`, secret: "SECdingtalk-secret" });
    const slackTest = await call(channelTest.POST, "POST", { auth, params: { id: slack.id } });
    expect(slackTest.body).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 200, event: "test" });
    expect(JSON.parse(hook.received[0].body)).toEqual({ text: expect.stringMatching(/^\*LLM Canary test alert\*\nA test of the channel "slack"/) });

    hook.answers = [200];
    const dingTest = await call(channelTest.POST, "POST", { auth, params: { id: ding.id } });
    expect(dingTest.body.status).toBe("delivered");
    const hit = hook.received[1];
    expect(hit.query.get("access_token")).toBe("abc");
    const timestamp = hit.query.get("timestamp")!;
    expect(hit.query.get("sign")).toBe(createHmac("sha256", "SECdingtalk-secret").update(`${timestamp}\nSECdingtalk-secret`).digest("base64"));
    expect(JSON.parse(hit.body)).toMatchObject({ msgtype: "markdown", markdown: { title: "LLM Canary test alert" } });

    const down = await channel({ name: "down", kind: "webhook", url: "http://127.0.0.1:9/nothing-listens" });
    const failed = await call(channelTest.POST, "POST", { auth, params: { id: down.id } });
    expect(failed.body).toMatchObject({ status: "pending", attempts: 1, lastStatus: null, lastError: "connection_failed" });
  });

  it("sends no retry to a channel muted after its test send failed; the delivery closes as muted", async () => {
    const { id } = await channel({ name: "muted later", kind: "webhook", url: `${hook.url}/muted-later` });
    hook.answers = [500];
    const t0 = Date.now();
    const sent = (await call(channelTest.POST, "POST", { auth, params: { id } })).body;
    expect(sent).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500 });
    expect((await call(channelOne.PATCH, "PATCH", { auth, params: { id }, body: { enabled: false } })).status).toBe(200);
    await deliverDue(db.prisma, new Date(t0 + 600_000)); // long after its retry came due
    expect(hook.received.map((r) => r.path)).toEqual(["/muted-later"]); // the test send only
    const log = (await call(channelDeliveries.GET, "GET", { auth, params: { id } })).body.deliveries;
    expect(log).toMatchObject([{ event: "test", status: "failed", attempts: 1, lastStatus: null, lastError: "muted" }]);
    expect(await deliverDue(db.prisma, new Date(t0 + 1_200_000))).toBe(0); // closed, not pending
  });

  it("escapes a rollback reason for Slack and DingTalk: no ping, no hidden link, no image", async () => {
    await channel({ name: "slack", kind: "slack", url: `${hook.url}/slack-escape` });
    await channel({ name: "dingtalk", kind: "dingtalk", url: `${hook.url}/ding-escape` });
    await activeRollout("escaped");
    const reason = "<!channel> see <https://evil.example|the runbook> & ![x](https://evil.example/t.png)";
    await call(configRollback.POST, "POST", { auth, params: { key: "escaped" }, body: { reason } });
    await deliverDue(db.prisma);
    const slack = JSON.parse(hook.received.find((r) => r.path === "/slack-escape")!.body).text as string;
    expect(slack).toContain("&lt;!channel&gt; see &lt;https://evil.example|the runbook&gt; &amp; ![x](https://evil.example/t.png)");
    expect(slack).not.toContain("<");
    const ding = JSON.parse(hook.received.find((r) => r.path === "/ding-escape")!.body).markdown.text as string;
    expect(ding).toContain("\\<\\!channel\\> see \\<https://evil.example\\|the runbook\\> & \\!\\[x\\]\\(https://evil.example/t.png\\)");
  });
});
