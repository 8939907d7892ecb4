import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { serverStartArgs } from "../../helpers/server-command";
import { E2E_DATABASE_FILE } from "../constants";

// Two app instances on one PostgreSQL: changes made through the e2e server (instance A) reach
// /api/route on a second, separately started instance B through LISTEN/NOTIFY. B's polling
// fallback is set to ten minutes, so only a notification can deliver a change within a trial.

const { url: databaseUrl } = JSON.parse(readFileSync(E2E_DATABASE_FILE, "utf8")) as { url: string };
const B_PORT = 3219;
const TRIALS = 20;

let instanceB: ChildProcess | null = null;
let outputB = "";

test.beforeAll(async () => {
  instanceB = spawn(process.execPath, serverStartArgs(), {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(B_PORT),
      HOST: "127.0.0.1",
      LLM_CANARY_DATA_DIR: mkdtempSync(path.join(tmpdir(), "llm-canary-b-")),
      LLM_CANARY_SNAPSHOT_POLL_MS: "600000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      outputB += chunk.toString();
      if (outputB.includes("is running at")) resolve();
    };
    instanceB!.stdout!.on("data", onData);
    instanceB!.stderr!.on("data", onData);
    instanceB!.once("exit", (code) => reject(new Error(`instance B exited with ${code}:\n${outputB}`)));
  });
});

test.afterAll(() => {
  instanceB?.kill("SIGTERM");
});

test("a rollback through instance A changes /api/route answers on instance B within milliseconds", async ({ request }) => {
  test.setTimeout(120_000);
  const key = `two-${randomBytes(3).toString("hex")}`;
  const created = await request.post("/api/admin/api-keys", { data: { name: key, scopes: ["route"] } });
  expect(created.status()).toBe(201);
  const authorization = `Bearer ${(await created.json()).key}`;
  expect((await request.post("/api/admin/configs", { data: { key, name: key } })).status()).toBe(201);
  const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `${label}.`, temperature: 0.5, maxTokens: 64 });
  expect((await request.post(`/api/admin/configs/${key}/versions`, { data: version("v1") })).status()).toBe(201);
  const v2 = await (await request.post(`/api/admin/configs/${key}/versions`, { data: version("v2") })).json();

  const variantOnB = async () => {
    const answer = await fetch(`http://127.0.0.1:${B_PORT}/api/route?config=${key}&userId=probe`, { headers: { authorization } }).catch((error: unknown) => {
      throw new Error(`instance B did not answer (${String(error)}); its output:\n${outputB}`);
    });
    expect(answer.status).toBe(200);
    return ((await answer.json()) as { variant: string }).variant;
  };
  /** Asks B as fast as it answers until it says `variant`; returns when it first did. */
  const seenOnB = async (variant: string, since: number) => {
    while ((await variantOnB()) !== variant) {
      expect(performance.now() - since, `instance B still does not answer ${variant}`).toBeLessThan(5_000);
    }
    return performance.now();
  };

  await expect.poll(variantOnB, { timeout: 10_000 }).toBe("stable"); // B knows the key and the config
  // The commit happens between sending the rollback and A's answer: B's delay after the commit
  // lies between the two figures measured from those moments.
  const fromRequest: number[] = [];
  const fromAnswer: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const started = await request.post(`/api/admin/configs/${key}/rollouts`, { data: { canaryVersionId: v2.id, include: ["probe"] } });
    expect(started.status()).toBe(201);
    await seenOnB("canary", performance.now());
    const sent = performance.now();
    const rolledBack = request.post(`/api/admin/configs/${key}/rollback`, { data: { reason: `trial ${trial}` } });
    const seen = seenOnB("stable", sent);
    expect((await rolledBack).status()).toBe(200);
    const answered = performance.now();
    const seenAt = await seen;
    fromRequest.push(seenAt - sent);
    fromAnswer.push(Math.max(0, seenAt - answered));
  }
  const summary = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)].toFixed(1);
    return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`;
  };
  console.info(`[two instances] rollback through A seen on B, ${TRIALS} trials: after A answered ${summary(fromAnswer)}; after the request was sent ${summary(fromRequest)}`);

  // Revoking the key through A: B refuses it (through NOTIFY: its polling is off).
  const keyId = (await created.json()).apiKey.id as string;
  const revokeSent = performance.now();
  expect((await request.post(`/api/admin/api-keys/${keyId}/revoke`)).status()).toBe(200);
  for (;;) {
    const answer = await fetch(`http://127.0.0.1:${B_PORT}/api/route?config=${key}&userId=probe`, { headers: { authorization } });
    if (answer.status === 401) break;
    expect(performance.now() - revokeSent, "instance B still accepts the revoked key").toBeLessThan(5_000);
  }
  console.info(`[two instances] revoked key refused by B ${(performance.now() - revokeSent).toFixed(1)} ms after the revoke was sent`);
});
