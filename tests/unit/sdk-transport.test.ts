import { afterEach, describe, expect, it, vi } from "vitest";
import { route } from "@/lib/release/router";
import { answerFromState, newRequestId, type RoutingState } from "@/lib/sdk/local-routing";
import { normalizeEvent } from "@/lib/sdk/outcome-event";
import { CanaryError, MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelayMs } from "@/lib/sdk/transport";

// The SDK's pure parts: the retry schedule, Retry-After, which errors count as "unavailable",
// outcome events checked as the server checks them, and local answers built as the server builds them.

const UUID_ID = /^req_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const policy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 1000 };

describe("retryDelayMs", () => {
  it("doubles its ceiling per attempt up to maxDelayMs, jittered between half and all of it", () => {
    expect([1, 2, 3, 4, 5, 9].map((attempt) => retryDelayMs(attempt, null, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 9].map((attempt) => retryDelayMs(attempt, null, policy, () => 0.999999))).toEqual(
      [100, 200, 400, 800, 1000, 1000].map((ms) => expect.closeTo(ms, 3)),
    );
  });

  it("never waits less than the server's Retry-After", () => {
    expect(retryDelayMs(1, 5000, policy, () => 0.5)).toBe(5000);
    expect(retryDelayMs(5, 10, policy, () => 0)).toBe(500);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-26T10:00:00Z");
  it.each([
    ["5", 5000],
    ["0", 0],
    [" 12 ", 12_000],
    ["Thu, 26 Nov 2026 10:00:30 GMT", 30_000],
    ["Thu, 26 Nov 2026 09:00:00 GMT", 0],
    ["86400", MAX_RETRY_AFTER_MS],
    ["soon", null],
    ["", null],
    [null, null],
  ])("%j → %j ms", (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe("CanaryError.unavailable", () => {
  it("holds for no answer, 408, 429 and 5xx, and not for refusals", () => {
    const statuses = [400, 401, 403, 404, 408, 409, 413, 429, 500, 503];
    expect(statuses.filter((status) => new CanaryError("x", "x", { status }).unavailable)).toEqual([408, 429, 500, 503]);
    expect(["network_error", "timeout", "unavailable", "buffer_full"].map((code) => new CanaryError(code, "x").unavailable)).toEqual([true, true, true, false]);
  });
});

describe("normalizeEvent", () => {
  const base = { requestId: "r1", config: "support-chat", versionId: "ver_1", isError: false, latencyMs: 12.5 };

  it("keeps only the outcome's fields, drops nulls, cuts samples and writes `at` as ISO 8601", () => {
    const spreadAnswer = { ...base, variant: "canary", llm: { model: "m" }, source: "local", rating: null, errorType: undefined };
    expect(normalizeEvent(spreadAnswer)).toEqual(base);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    expect(normalizeEvent({ ...base, rating: 5, inputTokens: 0, costUsd: 0.01, input: "x".repeat(5000), output: "ok", at })).toEqual({
      ...base,
      rating: 5,
      inputTokens: 0,
      costUsd: 0.01,
      input: "x".repeat(4000),
      output: "ok",
      at: at.toISOString(),
    });
    const sameInstantPlusOne = new Date(at.getTime() + 3_600_000).toISOString().replace("Z", "+01:00");
    expect(normalizeEvent({ ...base, at: sameInstantPlusOne })).toMatchObject({ at: at.toISOString() });
  });

  it("keeps the route answer's `rolloutId`, null included (routed outside any rollout), and omits it when absent", () => {
    expect(normalizeEvent({ ...base, rolloutId: "rol_1", variant: "canary", source: "server" } as never)).toEqual({ ...base, rolloutId: "rol_1" });
    expect(normalizeEvent({ ...base, rolloutId: null })).toEqual({ ...base, rolloutId: null });
    expect(normalizeEvent({ ...base, rolloutId: undefined })).toEqual(base);
    expect(Object.keys(normalizeEvent(base) as object)).not.toContain("rolloutId");
  });

  it("refuses a `source: \"default\"` answer spread into it: no version served it", () => {
    const answer = { requestId: "r1", config: "chat", variant: "stable", versionId: null, versionLabel: null, rolloutId: null, source: "default" };
    expect(normalizeEvent({ ...answer, isError: false, latencyMs: 5 } as never)).toMatch(/`versionId`/);
  });

  it.each([
    [{ requestId: "" }, /`requestId`/],
    [{ requestId: "a\nb" }, /control characters/],
    [{ config: "Support Chat" }, /`config`/],
    [{ versionId: null }, /`versionId`/],
    [{ rolloutId: "" }, /`rolloutId`/],
    [{ rolloutId: "r".repeat(65) }, /`rolloutId`/],
    [{ rolloutId: 7 }, /`rolloutId`/],
    [{ isError: "no" }, /`isError`/],
    [{ latencyMs: -1 }, /`latencyMs`/],
    [{ latencyMs: Number.NaN }, /`latencyMs`/],
    [{ latencyMs: 3_600_001 }, /`latencyMs`/],
    [{ rating: 3.5 }, /`rating`/],
    [{ rating: 0 }, /`rating`/],
    [{ outputTokens: -3 }, /`outputTokens`/],
    [{ costUsd: 20_000 }, /`costUsd`/],
    [{ errorType: "e".repeat(101) }, /`errorType`/],
    [{ input: 42 }, /`input`/],
    [{ at: "yesterday" }, /`at`/],
    [{ at: new Date(Date.now() + 3_600_000) }, /`at` must be within/],
    [{ at: "2020-01-01T00:00:00Z" }, /`at` must be within/],
  ])("refuses %j", (change, message) => {
    expect(normalizeEvent({ ...base, ...change } as never)).toMatch(message);
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("answerFromState", () => {
  const llm = (model: string) => ({
    model,
    provider: null,
    providerId: null,
    messages: [{ role: "user" as const, content: "Hi" }],
    systemPrompt: "",
    temperature: 1,
    topP: 1,
    maxTokens: 10,
    stop: [],
    seed: null,
    tools: [],
    toolChoice: null,
    responseFormat: null,
    retrievalStrategy: null,
    params: {},
    variables: [],
  });
  const rollout: NonNullable<RoutingState["rollout"]> = { id: "rol_1", salt: "0123456789abcdef", percent: 40, sticky: true, include: [], exclude: ["vip"] };
  const state: RoutingState = {
    config: "chat",
    revision: 3,
    stable: { versionId: "ver_s", versionLabel: "v1", llm: llm("a") },
    canary: { versionId: "ver_c", versionLabel: "v2", llm: llm("b") },
    rollout,
  };

  it("routes with the server's router and shapes the answer as /api/route does", () => {
    for (const userId of ["vip", ...Array.from({ length: 200 }, (_, i) => `u${i}`)]) {
      const variant = route(userId, rollout).variant;
      expect(answerFromState(state, userId, "req_x", "local")).toEqual({
        requestId: "req_x",
        config: "chat",
        variant,
        versionId: variant === "canary" ? "ver_c" : "ver_s",
        versionLabel: variant === "canary" ? "v2" : "v1",
        rolloutId: "rol_1",
        llm: llm(variant === "canary" ? "b" : "a"),
        source: "local",
      });
    }
    expect(answerFromState({ ...state, canary: null, rollout: null }, "u1", "r", "stale")).toMatchObject({ variant: "stable", rolloutId: null, source: "stale" });
    expect(() => answerFromState({ ...state, stable: null }, "u1", "r", "local")).toThrow(expect.objectContaining({ code: "conflict", status: 409 }));
  });

  it("generates request ids shaped like the server's", () => {
    const ids = new Set(Array.from({ length: 50 }, newRequestId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(UUID_ID);
  });

  it("still does where crypto.randomUUID is missing (Node 18 without the global, old browsers)", () => {
    const getRandomValues = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
    vi.stubGlobal("crypto", { getRandomValues });
    expect(newRequestId()).toMatch(UUID_ID);
    vi.stubGlobal("crypto", undefined);
    expect(newRequestId()).toMatch(UUID_ID);
  });
});
