import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { waitFor } from "../helpers/client-api-server";
import { deadBaseUrl, recordingFetch, startSdkFixture, type SdkFixture } from "../helpers/sdk-fixture";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The SDK when delivery goes wrong, against the real client API over real HTTP and a real
// database: refusals (of some events or a whole batch) and drops reported, retries through a
// real misbehaving proxy, a full buffer, and shutdown: pagehide, close() with the server gone,
// and the exit flush in a real child process.

let db: TestDatabase;
let fx: SdkFixture;

beforeAll(async () => {
  db = await createTestDatabase();
  fx = await startSdkFixture(db);
});
afterAll(async () => {
  await fx?.close();
  await db?.close();
});
afterEach(() => fx.closeClients());

describe("report() through refusals, faults and shutdown", () => {
  it("drops only the events the server refuses (2 of 300) and delivers the rest at once", async () => {
    const recorder = recordingFetch();
    const { client, errors } = fx.sdk({ fetch: recorder.fetch });
    const foreign = new Set([17, 240]); // a version of another config: only the server knows
    for (let i = 0; i < 300; i++) client.report(fx.outcome(`partial-${i}`, foreign.has(i) ? { versionId: fx.searchVersion } : {}));
    await client.flush();
    expect(recorder.statuses("/api/metrics")).toEqual([400, 202]);
    expect(await fx.storedCount("partial-")).toBe(298);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: "invalid_request",
      status: 400,
      requestId: expect.stringMatching(/^req_/),
      details: [
        { path: "events.0.versionId", message: expect.stringMatching(/names no version of config `chat`/) },
        { path: "events.1.versionId", message: expect.stringMatching(/names no version of config `chat`/) },
      ],
    });
    expect(errors[0].events.map((e) => e.requestId)).toEqual(["partial-17", "partial-240"]);
    expect(client.stats()).toEqual({ buffered: 0, inFlight: 0, delivered: 298, duplicates: 0, dropped: 0, failed: 2 });
  });

  it("retries through 503 with Retry-After, a reset connection and a 429, and loses nothing", async () => {
    const proxy = await fx.startFaultyProxy(["503", "503"]);
    try {
      const { client, errors } = fx.sdk({ baseUrl: proxy.baseUrl });
      for (let i = 0; i < 700; i++) client.report(fx.outcome(`retry-${i}`));
      await client.flush();
      expect(proxy.seen).toEqual(["503", "503", "pass", "pass"]);
      expect(await fx.storedCount("retry-")).toBe(700);
      expect(client.stats()).toMatchObject({ delivered: 700, failed: 0, dropped: 0 });
      expect(errors).toEqual([]);

      proxy.seen.length = 0;
      const other = await fx.startFaultyProxy(["reset", "429"]);
      const second = fx.sdk({ baseUrl: other.baseUrl });
      for (let i = 0; i < 10; i++) second.client.report(fx.outcome(`flaky-${i}`));
      await second.client.flush();
      await other.close();
      expect(other.seen).toEqual(["reset", "429", "pass"]);
      expect(await fx.storedCount("flaky-")).toBe(10);
      expect(second.errors).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("gives up on a batch the server refuses as a whole (400 not naming events, 401) at once, reporting its events; catches bad events before sending", async () => {
    // Something on the way adds a field to the body: the server refuses the body, not an event.
    const mangling: typeof fetch = (input, init) => fetch(input, { ...init, body: String(init?.body).replace(/}$/, ',"via":"proxy"}') });
    const { client, errors } = fx.sdk({ fetch: mangling });
    client.report(fx.outcome("refused-1"));
    client.report(fx.outcome("refused-2"));
    await client.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "invalid_request", status: 400, details: [{ path: "(root)" }], requestId: expect.stringMatching(/^req_/) });
    expect(errors[0].events.map((e) => e.requestId)).toEqual(["refused-1", "refused-2"]);
    expect(await fx.storedCount("refused-")).toBe(0);

    expect(client.report(fx.outcome("refused-3", { latencyMs: -1 }))).toBe(false);
    expect(client.report(fx.outcome("refused-4", { rating: 7 }))).toBe(false);
    expect(errors.slice(1).map((e) => [e.code, e.message])).toEqual([
      ["invalid_event", expect.stringMatching(/`latencyMs`/)],
      ["invalid_event", expect.stringMatching(/`rating`/)],
    ]);
    expect(client.stats()).toMatchObject({ failed: 2, dropped: 2, delivered: 0 });

    const badKey = fx.sdk({ apiKey: `${fx.apiKey.slice(0, -1)}${fx.apiKey.endsWith("a") ? "b" : "a"}` });
    badKey.client.report(fx.outcome("refused-5"));
    await badKey.client.flush();
    expect(badKey.errors.map((e) => [e.code, e.status, e.events.length])).toEqual([["unauthorized", 401, 1]]);
  });

  it("counts and reports outcomes dropped because the buffer is full, and still delivers the rest", async () => {
    const { client, errors } = fx.sdk({ maxBufferedEvents: 100, flushIntervalMs: 60_000 });
    const accepted = Array.from({ length: 130 }, (_, i) => client.report(fx.outcome(`full-${i}`)));
    expect(accepted.filter((ok) => !ok)).toHaveLength(30);
    expect(client.stats()).toMatchObject({ buffered: 100, dropped: 30 });
    await new Promise((resolve) => setTimeout(resolve, 0)); // drops are reported once per burst
    expect(errors.map((e) => [e.code, e.events.length, e.events[0]?.requestId])).toEqual([["buffer_full", 30, "full-100"]]);
    await client.flush();
    expect(await fx.storedCount("full-")).toBe(100);
  });

  it("on pagehide sends what fits in one keepalive request (64 KiB in browsers) and keeps the rest for later", async () => {
    const page = new EventTarget(); // stands in for a browser's window
    vi.stubGlobal("window", page);
    try {
      const recorder = recordingFetch();
      const { client, errors } = fx.sdk({ fetch: recorder.fetch, flushIntervalMs: 60_000 });
      for (let i = 0; i < 30; i++) client.report(fx.outcome(`unload-${i}`, { input: "x".repeat(4000) }));
      page.dispatchEvent(new Event("pagehide"));
      await waitFor(async () => client.stats().inFlight === 0);
      const sent = await fx.storedCount("unload-");
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(30);
      expect(recorder.calls).toEqual([{ path: "/api/metrics", query: "", status: 202, keepalive: true, bytes: expect.any(Number) }]);
      expect(recorder.calls[0].bytes).toBeLessThanOrEqual(64 * 1024);
      expect(client.stats()).toMatchObject({ delivered: sent, buffered: 30 - sent });
      await client.close();
      expect(await fx.storedCount("unload-")).toBe(30);
      expect(errors).toEqual([]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("close() gives up after closeTimeoutMs when the server is gone, and refuses later reports", async () => {
    const { client, errors } = fx.sdk({ baseUrl: await deadBaseUrl(), closeTimeoutMs: 300, retry: { baseDelayMs: 20, maxAttempts: 1000 } });
    client.report(fx.outcome("lost-1"));
    await client.close();
    expect(errors.at(-1)).toMatchObject({ code: "gave_up", events: [expect.objectContaining({ requestId: "lost-1" })] });
    expect(client.stats()).toMatchObject({ buffered: 0, inFlight: 0, failed: 1 });
    expect(client.report(fx.outcome("late-1"))).toBe(false);
    expect(errors.at(-1)).toMatchObject({ code: "client_closed" });
  });

  it("flushes on exit in a real Node process, whose timers never keep it alive", async () => {
    const clientPath = path.resolve(import.meta.dirname, "../../lib/sdk/client.ts");
    const script = `
      import { createClient } from ${JSON.stringify(clientPath)};
      const client = createClient({ baseUrl: process.env.BASE_URL, apiKey: process.env.API_KEY, flushIntervalMs: 60000 });
      for (let i = 0; i < 25; i++) client.report({ requestId: "exit-" + i, config: "chat", versionId: process.env.VERSION_ID, isError: false, latencyMs: 5 });
    `;
    const env = { ...process.env, BASE_URL: fx.srv.baseUrl, API_KEY: fx.apiKey, VERSION_ID: fx.chatStable };
    await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env, timeout: 20_000 });
    expect(await fx.storedCount("exit-")).toBe(25);
  });
});

describe("feedback() through faults", () => {
  it("retries the feedback itself through 503 with Retry-After and a reset connection", async () => {
    const proxy = await fx.startFaultyProxy(["503", "reset"], "/api/feedback");
    try {
      const { client, errors } = fx.sdk({ baseUrl: proxy.baseUrl, flushIntervalMs: 60_000 });
      client.report(fx.outcome("feedback-retried"));
      expect(await client.feedback("feedback-retried", 2, "slow")).toEqual({ requestId: "feedback-retried", config: "chat", rating: 2, replaced: null });
      expect(proxy.seen).toEqual(["503", "reset", "pass"]);
      expect(await db.prisma.outcome.findFirst({ where: { requestId: "feedback-retried" }, select: { rating: true, ratingComment: true } })).toEqual({ rating: 2, ratingComment: "slow" });
      expect(errors).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
