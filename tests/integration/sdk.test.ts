import { execFile } from "node:child_process";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { createConfig } from "@/lib/release/config-service";
import { rollbackConfig, startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { createClient, type CanaryClient, type CanaryClientOptions, type CanaryError, type OutcomeEvent, type RouteAnswer } from "@/lib/sdk/client";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, waitFor, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The SDK against the real client API over real HTTP and a real database: routing parity with
// the server (remote and local), batched delivery stored exactly once, retries through a real
// misbehaving proxy, refusals and drops reported, fallbacks when the server is gone, and the
// exit flush in a real child process.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string, model: string) => ({ label, model, systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 256 });
const stages = [{ percent: 30, minDurationSec: 60, minSamples: 10 }, { percent: 100, minDurationSec: 60, minSamples: 10 }];
const REQUEST_ID = /^req_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fallbackLlm = { model: "fallback-model", systemPrompt: "You are the fallback.", temperature: 0.2, maxTokens: 100 };

let db: TestDatabase;
let srv: ClientApiServer;
let apiKey: string;
let chatStable: string;
let chatCanary: string;
let searchVersion: string;

beforeAll(async () => {
  db = await createTestDatabase();
  for (const key of ["chat", "search", "beta", "empty"]) await createConfig(db.prisma, system, { key, name: key });
  chatStable = (await createVersion(db.prisma, system, "chat", version("v1", "gpt-4o"))).id;
  chatCanary = (await createVersion(db.prisma, system, "chat", version("v2", "gpt-4o-mini"))).id;
  await startRollout(db.prisma, system, "chat", { canaryVersionId: chatCanary, stages });
  searchVersion = (await createVersion(db.prisma, system, "search", version("s1", "gpt-4o"))).id;
  await createVersion(db.prisma, system, "beta", version("b1", "gpt-4o"));
  const betaCanary = (await createVersion(db.prisma, system, "beta", version("b2", "o3"))).id;
  await startRollout(db.prisma, system, "beta", { canaryVersionId: betaCanary, stages });
  apiKey = (await adminKey(db.prisma, ["route", "metrics"])).replace(/^Bearer /, "");
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

const opened: CanaryClient[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

/** A client on the test server with short retry pauses; `errors` collects what onError heard. */
function sdk(options: Partial<CanaryClientOptions> = {}) {
  const errors: CanaryError[] = [];
  const client = createClient({ baseUrl: srv.baseUrl, apiKey, onError: (e) => errors.push(e), retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...options });
  opened.push(client);
  return { client, errors };
}

/** The real fetch, with every call's path and status written down. */
function recordingFetch() {
  const calls: { path: string; query: string; status: number | "error"; keepalive: boolean; bytes: number }[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const call = { path: url.pathname, query: url.search, keepalive: init?.keepalive === true, bytes: typeof init?.body === "string" ? Buffer.byteLength(init.body) : 0 };
    try {
      const response = await fetch(input, init);
      calls.push({ ...call, status: response.status });
      return response;
    } catch (error) {
      calls.push({ ...call, status: "error" });
      throw error;
    }
  };
  const statuses = (pathname: string, query?: string) => calls.filter((c) => c.path === pathname && (query === undefined || c.query === query)).map((c) => c.status);
  return { fetch: recording, calls, statuses };
}

const serverRoute = async (config: string, userId: string) =>
  (await send(srv.baseUrl, "/api/route", { auth: `Bearer ${apiKey}`, body: { config, userId } })).body as Record<string, unknown>;
const withoutIds = ({ requestId, source, ...rest }: RouteAnswer) => (void requestId, void source, rest);
const outcome = (requestId: string, over: Partial<OutcomeEvent> = {}): OutcomeEvent => ({
  requestId,
  config: "chat",
  versionId: chatStable,
  isError: false,
  latencyMs: 100 + (requestId.length % 50),
  ...over,
});
const storedCount = (prefix: string) => db.prisma.outcome.count({ where: { requestId: { startsWith: prefix } } });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function deadBaseUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

/** A real proxy in front of the client API whose first requests to `faultPath` fail as scripted. */
async function startFaultyProxy(faults: ("503" | "429" | "reset")[], faultPath = "/api/metrics") {
  const seen: string[] = [];
  const target = new URL(srv.baseUrl);
  const server = createServer((req, res) => {
    const fault = req.url === faultPath ? faults.shift() : undefined;
    if (req.url === faultPath) seen.push(fault ?? "pass");
    if (fault === "reset") return void req.socket.destroy();
    if (fault) {
      req.resume();
      const body = { error: { code: fault === "503" ? "database_unavailable" : "rate_limited", message: "Retry later.", requestId: "req_proxy" } };
      return void res.writeHead(Number(fault), { "content-type": "application/json", "retry-after": fault === "503" ? "1" : "0" }).end(JSON.stringify(body));
    }
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  const baseUrl = await listen(server);
  return {
    baseUrl,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("route()", () => {
  it("remotely answers exactly what the server answers, and throws the server's refusals", async () => {
    const { client } = sdk();
    const variants = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const answer = await client.route("chat", `remote-${i}`);
      expect(answer).toEqual({ ...(await serverRoute("chat", `remote-${i}`)), requestId: expect.stringMatching(REQUEST_ID), source: "server" });
      variants.add(answer.variant);
    }
    expect(variants).toEqual(new Set(["stable", "canary"]));
    expect((await client.route("chat", "u", { requestId: "my-own-id" })).requestId).toBe("my-own-id");
    await expect(client.route("missing", "u")).rejects.toMatchObject({ name: "CanaryError", code: "not_found", status: 404 });
    await expect(client.route("empty", "u")).rejects.toMatchObject({ code: "conflict", status: 409 });
    await expect(client.route("chat", "")).rejects.toMatchObject({ code: "invalid_request" });
    const forbidden = createClient({ baseUrl: srv.baseUrl, apiKey: (await adminKey(db.prisma, ["metrics"])).slice(7), flushOnExit: false });
    await srv.api.store.reload(); // the new key reaches the snapshot
    await expect(forbidden.route("chat", "u")).rejects.toMatchObject({ code: "forbidden", status: 403 });
    await forbidden.close();
  });

  it("locally gives every user the server's variant and version, revalidating with 304 until something changes", async () => {
    const recorder = recordingFetch();
    const { client, errors } = sdk({ fetch: recorder.fetch, localEvaluation: { configs: ["chat", "beta"], refreshMs: 20 } });
    await client.ready();
    for (let i = 0; i < 300; i++) {
      const answer = await client.route("chat", `local-${i}`);
      expect(answer).toEqual({ ...(await serverRoute("chat", `local-${i}`)), requestId: expect.stringMatching(REQUEST_ID), source: "local" });
    }
    // Any other config is fetched on its first route().
    expect(await client.route("search", "someone")).toEqual({ ...(await serverRoute("search", "someone")), requestId: expect.stringMatching(REQUEST_ID), source: "local" });
    await expect(client.route("empty", "u")).rejects.toMatchObject({ status: 409 });
    expect(recorder.statuses("/api/route")).toEqual([]);

    await waitFor(async () => recorder.statuses("/api/routing-state", "?config=chat").length >= 4);
    const chat = recorder.statuses("/api/routing-state", "?config=chat");
    expect(chat).toEqual([200, ...chat.slice(1).map(() => 304)]);

    let canaryUser = "";
    for (let i = 0; !canaryUser; i++) if ((await client.route("beta", `beta-${i}`)).variant === "canary") canaryUser = `beta-${i}`;
    await rollbackConfig(db.prisma, system, "beta", { reason: "test" });
    await srv.api.store.reload();
    await waitFor(async () => (await client.route("beta", canaryUser)).variant === "stable");
    expect(await client.route("beta", canaryUser)).toMatchObject({ rolloutId: null, versionLabel: "b1", source: "local" });
    const beta = recorder.statuses("/api/routing-state", "?config=beta");
    expect(beta.filter((s) => s === 200)).toHaveLength(2); // the first fetch and the change; 304 in between
    expect(beta.filter((s) => s !== 200 && s !== 304)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("keeps serving the last state when the server goes away, and the default when nothing was ever fetched", async () => {
    const own = await startClientApiServer(db);
    const local = sdk({ baseUrl: own.baseUrl, localEvaluation: { configs: ["chat"], refreshMs: 20 }, defaults: { chat: fallbackLlm } });
    const remote = sdk({ baseUrl: own.baseUrl, defaults: { chat: fallbackLlm } });
    await local.client.ready();
    const users = Array.from({ length: 40 }, (_, i) => `down-${i}`);
    const before = await Promise.all(users.map((u) => local.client.route("chat", u)));
    expect(new Set(before.map((a) => a.source))).toEqual(new Set(["local"]));
    const stableUser = users[before.findIndex((a) => a.variant === "stable")];
    expect(await remote.client.route("chat", stableUser)).toMatchObject({ source: "server", variant: "stable" });

    await own.close();
    await waitFor(async () => local.errors.some((e) => e.code === "network_error"));
    const after = await Promise.all(users.map((u) => local.client.route("chat", u)));
    expect(after.map(withoutIds)).toEqual(before.map(withoutIds));
    expect(new Set(after.map((a) => a.source))).toEqual(new Set(["stale"]));

    // Remote routing falls back to the last stable answer: without the server a user's variant is unknown.
    const canaryUser = users[before.findIndex((a) => a.variant === "canary")];
    expect(await remote.client.route("chat", canaryUser)).toMatchObject({ source: "stale", variant: "stable", versionId: chatStable, requestId: expect.stringMatching(REQUEST_ID) });
    expect(remote.errors.map((e) => e.code)).toEqual(["network_error"]);
    await expect(remote.client.route("search", "u")).rejects.toMatchObject({ code: "unavailable" });

    const fresh = sdk({ baseUrl: own.baseUrl, localEvaluation: { configs: ["chat"] }, defaults: { chat: fallbackLlm } });
    expect(await fresh.client.route("chat", "u")).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      config: "chat",
      variant: "stable",
      versionId: null,
      versionLabel: null,
      rolloutId: null,
      llm: { ...fallbackLlm, topP: 1, retrievalStrategy: null, params: {} },
      source: "default",
    });
    const error = await fresh.client.route("search", "u").catch((e: CanaryError) => e);
    expect(error).toMatchObject({ code: "unavailable", message: expect.stringMatching(/`defaults` has no entry/) });
  });
});

describe("report()", () => {
  it("delivers 1,200 outcomes in batches of 500, each stored once, and a resend of them stores nothing new", async () => {
    const recorder = recordingFetch();
    const { client, errors } = sdk({ fetch: recorder.fetch });
    const events = Array.from({ length: 1200 }, (_, i) => outcome(`bulk-${i}`, { versionId: i % 3 ? chatStable : chatCanary, inputTokens: i }));
    expect(events.map((e) => client.report(e)).every(Boolean)).toBe(true);
    await client.flush();
    expect(await storedCount("bulk-")).toBe(1200);
    expect(recorder.statuses("/api/metrics")).toEqual([202, 202, 202]);
    expect(client.stats()).toEqual({ buffered: 0, inFlight: 0, delivered: 1200, duplicates: 0, dropped: 0, failed: 0 });

    const again = sdk();
    events.forEach((e) => again.client.report(e));
    await again.client.flush();
    expect(await storedCount("bulk-")).toBe(1200);
    expect(again.client.stats()).toMatchObject({ delivered: 1200, duplicates: 1200, failed: 0 });
    expect([...errors, ...again.errors]).toEqual([]);
  });

  it("takes a spread route answer, keeping only the outcome's fields", async () => {
    const { client, errors } = sdk();
    const answer = await client.route("chat", "spread-user");
    if (answer.source === "default") throw new Error("expected a routed answer");
    expect(client.report({ ...answer, requestId: `spread-${answer.requestId}`, isError: true, errorType: "timeout", latencyMs: 42.5, at: new Date(Date.now() - 60_000) })).toBe(true);
    await client.flush();
    const row = await db.prisma.outcome.findFirstOrThrow({ where: { requestId: `spread-${answer.requestId}` } });
    expect(row).toMatchObject({ versionId: answer.versionId, isError: true, errorType: "timeout", latencyMs: 43 });
    expect(errors).toEqual([]);
  });

  it("sends the route answer's rolloutId, so the outcome counts for that rollout; null stores it outside any rollout", async () => {
    const { client, errors } = sdk();
    const answer = await client.route("chat", "attributed-user");
    if (answer.source === "default") throw new Error("expected a routed answer");
    expect(answer.rolloutId).toEqual(expect.any(String));
    // From before the rollout started (by `at`), so only the rolloutId sent can put it in the rollout.
    client.report({ ...answer, requestId: "attr-rollout", isError: false, latencyMs: 10, at: new Date(Date.now() - 3_600_000) });
    client.report({ ...answer, requestId: "attr-none", rolloutId: null, isError: false, latencyMs: 10 });
    expect(client.report({ ...answer, requestId: "attr-bad", rolloutId: "r".repeat(65), isError: false, latencyMs: 10 })).toBe(false);
    await client.flush();
    const stored = async (requestId: string) => db.prisma.outcome.findFirst({ where: { requestId }, select: { rolloutId: true, versionId: true } });
    expect(await stored("attr-rollout")).toEqual({ rolloutId: answer.rolloutId, versionId: answer.versionId });
    expect(await stored("attr-none")).toEqual({ rolloutId: null, versionId: answer.versionId });
    expect(errors.map((e) => [e.code, e.message])).toEqual([["invalid_event", expect.stringMatching(/`rolloutId`/)]]);
  });

  it("drops only the events the server refuses (2 of 300) and delivers the rest at once", async () => {
    const recorder = recordingFetch();
    const { client, errors } = sdk({ fetch: recorder.fetch });
    const foreign = new Set([17, 240]); // a version of another config: only the server knows
    for (let i = 0; i < 300; i++) client.report(outcome(`partial-${i}`, foreign.has(i) ? { versionId: searchVersion } : {}));
    await client.flush();
    expect(recorder.statuses("/api/metrics")).toEqual([400, 202]);
    expect(await storedCount("partial-")).toBe(298);
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

  it("sends a batch too large for the server's 10 MB body limit in halves", async () => {
    const recorder = recordingFetch();
    const { client, errors } = sdk({ fetch: recorder.fetch });
    const sample = "€".repeat(4000); // 3 bytes each in UTF-8: 500 such events make 12 MB
    for (let i = 0; i < 500; i++) client.report(outcome(`large-${i}`, { input: sample, output: sample }));
    await client.flush();
    expect(recorder.statuses("/api/metrics")).toEqual([413, 202, 202]);
    expect(await storedCount("large-")).toBe(500);
    expect(client.stats()).toMatchObject({ delivered: 500, failed: 0 });
    expect(errors).toEqual([]);
  });

  it("retries through 503 with Retry-After, a reset connection and a 429, and loses nothing", async () => {
    const proxy = await startFaultyProxy(["503", "503"]);
    try {
      const { client, errors } = sdk({ baseUrl: proxy.baseUrl });
      for (let i = 0; i < 700; i++) client.report(outcome(`retry-${i}`));
      await client.flush();
      expect(proxy.seen).toEqual(["503", "503", "pass", "pass"]);
      expect(await storedCount("retry-")).toBe(700);
      expect(client.stats()).toMatchObject({ delivered: 700, failed: 0, dropped: 0 });
      expect(errors).toEqual([]);

      proxy.seen.length = 0;
      const other = await startFaultyProxy(["reset", "429"]);
      const second = sdk({ baseUrl: other.baseUrl });
      for (let i = 0; i < 10; i++) second.client.report(outcome(`flaky-${i}`));
      await second.client.flush();
      await other.close();
      expect(other.seen).toEqual(["reset", "429", "pass"]);
      expect(await storedCount("flaky-")).toBe(10);
      expect(second.errors).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("gives up on a batch the server refuses as a whole (400 not naming events, 401) at once, reporting its events; catches bad events before sending", async () => {
    // Something on the way adds a field to the body: the server refuses the body, not an event.
    const mangling: typeof fetch = (input, init) => fetch(input, { ...init, body: String(init?.body).replace(/}$/, ',"via":"proxy"}') });
    const { client, errors } = sdk({ fetch: mangling });
    client.report(outcome("refused-1"));
    client.report(outcome("refused-2"));
    await client.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "invalid_request", status: 400, details: [{ path: "(root)" }], requestId: expect.stringMatching(/^req_/) });
    expect(errors[0].events.map((e) => e.requestId)).toEqual(["refused-1", "refused-2"]);
    expect(await storedCount("refused-")).toBe(0);

    expect(client.report(outcome("refused-3", { latencyMs: -1 }))).toBe(false);
    expect(client.report(outcome("refused-4", { rating: 7 }))).toBe(false);
    expect(errors.slice(1).map((e) => [e.code, e.message])).toEqual([
      ["invalid_event", expect.stringMatching(/`latencyMs`/)],
      ["invalid_event", expect.stringMatching(/`rating`/)],
    ]);
    expect(client.stats()).toMatchObject({ failed: 2, dropped: 2, delivered: 0 });

    const badKey = sdk({ apiKey: `${apiKey.slice(0, -1)}${apiKey.endsWith("a") ? "b" : "a"}` });
    badKey.client.report(outcome("refused-5"));
    await badKey.client.flush();
    expect(badKey.errors.map((e) => [e.code, e.status, e.events.length])).toEqual([["unauthorized", 401, 1]]);
  });

  it("counts and reports outcomes dropped because the buffer is full, and still delivers the rest", async () => {
    const { client, errors } = sdk({ maxBufferedEvents: 100, flushIntervalMs: 60_000 });
    const accepted = Array.from({ length: 130 }, (_, i) => client.report(outcome(`full-${i}`)));
    expect(accepted.filter((ok) => !ok)).toHaveLength(30);
    expect(client.stats()).toMatchObject({ buffered: 100, dropped: 30 });
    await new Promise((resolve) => setTimeout(resolve, 0)); // drops are reported once per burst
    expect(errors.map((e) => [e.code, e.events.length, e.events[0]?.requestId])).toEqual([["buffer_full", 30, "full-100"]]);
    await client.flush();
    expect(await storedCount("full-")).toBe(100);
  });

  it("on pagehide sends what fits in one keepalive request (64 KiB in browsers) and keeps the rest for later", async () => {
    const page = new EventTarget(); // stands in for a browser's window
    vi.stubGlobal("window", page);
    try {
      const recorder = recordingFetch();
      const { client, errors } = sdk({ fetch: recorder.fetch, flushIntervalMs: 60_000 });
      for (let i = 0; i < 30; i++) client.report(outcome(`unload-${i}`, { input: "x".repeat(4000) }));
      page.dispatchEvent(new Event("pagehide"));
      await waitFor(async () => client.stats().inFlight === 0);
      const sent = await storedCount("unload-");
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(30);
      expect(recorder.calls).toEqual([{ path: "/api/metrics", query: "", status: 202, keepalive: true, bytes: expect.any(Number) }]);
      expect(recorder.calls[0].bytes).toBeLessThanOrEqual(64 * 1024);
      expect(client.stats()).toMatchObject({ delivered: sent, buffered: 30 - sent });
      await client.close();
      expect(await storedCount("unload-")).toBe(30);
      expect(errors).toEqual([]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("close() gives up after closeTimeoutMs when the server is gone, and refuses later reports", async () => {
    const { client, errors } = sdk({ baseUrl: await deadBaseUrl(), closeTimeoutMs: 300, retry: { baseDelayMs: 20, maxAttempts: 1000 } });
    client.report(outcome("lost-1"));
    await client.close();
    expect(errors.at(-1)).toMatchObject({ code: "gave_up", events: [expect.objectContaining({ requestId: "lost-1" })] });
    expect(client.stats()).toMatchObject({ buffered: 0, inFlight: 0, failed: 1 });
    expect(client.report(outcome("late-1"))).toBe(false);
    expect(errors.at(-1)).toMatchObject({ code: "client_closed" });
  });

  it("flushes on exit in a real Node process, whose timers never keep it alive", async () => {
    const clientPath = path.resolve(import.meta.dirname, "../../lib/sdk/client.ts");
    const script = `
      import { createClient } from ${JSON.stringify(clientPath)};
      const client = createClient({ baseUrl: process.env.BASE_URL, apiKey: process.env.API_KEY, flushIntervalMs: 60000 });
      for (let i = 0; i < 25; i++) client.report({ requestId: "exit-" + i, config: "chat", versionId: process.env.VERSION_ID, isError: false, latencyMs: 5 });
    `;
    const env = { ...process.env, BASE_URL: srv.baseUrl, API_KEY: apiKey, VERSION_ID: chatStable };
    await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env, timeout: 20_000 });
    expect(await storedCount("exit-")).toBe(25);
  });
});

describe("feedback()", () => {
  it("rates a reported request, waiting for the outcome's delivery if it is still queued", async () => {
    const { client } = sdk({ flushIntervalMs: 60_000 });
    const answer = await client.route("chat", "feedback-user");
    if (answer.source === "default") throw new Error("expected a routed answer");
    client.report({ ...answer, isError: false, latencyMs: 321 });
    expect(await client.feedback(answer.requestId, 4, "helpful")).toEqual({ requestId: answer.requestId, config: "chat", rating: 4, replaced: null });
    expect(await client.feedback(answer.requestId, 5)).toMatchObject({ rating: 5, replaced: 4 });
    const row = await db.prisma.outcome.findFirstOrThrow({ where: { requestId: answer.requestId } });
    expect(row).toMatchObject({ rating: 5, latencyMs: 321, versionId: answer.versionId });
    await expect(client.feedback("never-reported", 3)).rejects.toMatchObject({ code: "not_found", status: 404 });
    await expect(client.feedback(answer.requestId, 9)).rejects.toMatchObject({ status: 400, details: [{ path: "rating" }] });
  });

  it("retries the feedback itself through 503 with Retry-After and a reset connection", async () => {
    const proxy = await startFaultyProxy(["503", "reset"], "/api/feedback");
    try {
      const { client, errors } = sdk({ baseUrl: proxy.baseUrl, flushIntervalMs: 60_000 });
      client.report(outcome("feedback-retried"));
      expect(await client.feedback("feedback-retried", 2, "slow")).toEqual({ requestId: "feedback-retried", config: "chat", rating: 2, replaced: null });
      expect(proxy.seen).toEqual(["503", "reset", "pass"]);
      expect(await db.prisma.outcome.findFirst({ where: { requestId: "feedback-retried" }, select: { rating: true, ratingComment: true } })).toEqual({ rating: 2, ratingComment: "slow" });
      expect(errors).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
