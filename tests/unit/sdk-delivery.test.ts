import { afterEach, describe, expect, it } from "vitest";
import { createClient, type CanaryClient, type CanaryError } from "@/lib/sdk/client";
import type { WireEvent } from "@/lib/sdk/outcome-event";

// Delivery against a scripted fake server (a fetch function): answers the real one never gives,
// or gives only under load, and the bounds that keep the SDK from looping or waiting forever.

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type Script = (path: string, events: WireEvent[]) => Answer | Promise<Answer>;

const opened: CanaryClient[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

function fake(script: Script, options: { closeTimeoutMs?: number; maxAttempts?: number; batchSize?: number } = {}) {
  const calls: { path: string; events: WireEvent[] }[] = [];
  const errors: CanaryError[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const path = new URL(String(input)).pathname;
    const body = JSON.parse(String(init?.body)) as { events?: WireEvent[] };
    calls.push({ path, events: body.events ?? [] });
    const answer = await script(path, body.events ?? []);
    return new Response(answer.body === undefined ? "" : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  };
  const client = createClient({
    baseUrl: "http://canary.test",
    apiKey: "key",
    fetch: fetchImpl,
    flushOnExit: false,
    flushIntervalMs: 60_000,
    batchSize: options.batchSize,
    closeTimeoutMs: options.closeTimeoutMs ?? 1_000,
    retry: { baseDelayMs: 2, maxDelayMs: 5, maxAttempts: options.maxAttempts ?? 8 },
    onError: (e) => errors.push(e),
  });
  opened.push(client);
  return { client, calls, errors };
}

const event = (requestId: string) => ({ requestId, config: "chat", versionId: "ver_1", isError: false, latencyMs: 5 });
const refusal = (path: string) => ({ status: 400, body: { error: { code: "invalid_request", message: "Refused.", details: [{ path, message: "is wrong" }] } } });
const accepted = (events: WireEvent[]) => ({ status: 202, body: { accepted: events.length, duplicates: 0 } });

describe("per-event refusals", () => {
  it("resend the rest at most twice: a server that keeps naming the first event cannot make the SDK loop", async () => {
    const { client, calls, errors } = fake(() => refusal("events.0.versionId"));
    for (let i = 0; i < 10; i++) client.report(event(`r${i}`));
    await client.flush();
    expect(calls.map((c) => c.events.length)).toEqual([10, 9, 8]);
    expect(errors.map((e) => [e.code, e.status, e.events.length])).toEqual([
      ["invalid_request", 400, 1],
      ["invalid_request", 400, 1],
      ["invalid_request", 400, 8],
    ]);
    expect(client.stats()).toMatchObject({ delivered: 0, failed: 10, inFlight: 0, buffered: 0 });
  });
});

describe("413", () => {
  it("halves the batch until it fits, and gives up only on an event too large on its own", async () => {
    const { client, calls, errors } = fake((_, events) => (events.some((e) => e.requestId === "huge") ? { status: 413 } : accepted(events)));
    for (const id of ["huge", "a", "b", "c", "d"]) client.report(event(id));
    await client.flush();
    expect(calls.map((c) => c.events.map((e) => e.requestId).join(","))).toEqual(["huge,a,b,c,d", "huge,a,b", "huge,a", "huge", "a", "b", "c,d"]);
    expect(errors.map((e) => [e.status, e.events.map((x) => x.requestId)])).toEqual([[413, ["huge"]]]);
    expect(client.stats()).toMatchObject({ delivered: 4, failed: 1 });
  });
});

describe("feedback()", () => {
  it("waits at most closeTimeoutMs for its outcome's delivery, then asks anyway (and throws the 404)", async () => {
    const notFound = { status: 404, body: { error: { code: "not_found", message: "No outcome with that request id." } } };
    const { client, calls } = fake((path) => (path === "/api/metrics" ? { status: 503 } : notFound), { closeTimeoutMs: 50, maxAttempts: 10_000 });
    client.report(event("stuck"));
    await expect(client.feedback("stuck", 4)).rejects.toMatchObject({ code: "not_found", status: 404 });
    expect(calls.filter((c) => c.path === "/api/feedback")).toHaveLength(1);
    expect(calls.filter((c) => c.path === "/api/metrics").length).toBeGreaterThan(0);
  });

  it("waits for its own outcome, not for those reported after it", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { client, calls } = fake(
      async (path, events) => {
        if (path === "/api/feedback") return { status: 202, body: { requestId: "first", config: "chat", rating: 5, replaced: null } };
        if (events[0].requestId === "later") await held;
        return accepted(events);
      },
      { batchSize: 1, closeTimeoutMs: 60_000 },
    );
    client.report(event("first"));
    client.report(event("later")); // its delivery hangs until released
    expect(await client.feedback("first", 5)).toMatchObject({ rating: 5 });
    const sent = calls.map((c) => [c.path, c.events[0]?.requestId]);
    expect(sent).toHaveLength(3);
    expect(sent).toEqual(expect.arrayContaining([["/api/metrics", "first"], ["/api/metrics", "later"], ["/api/feedback", undefined]]));
    expect(client.stats()).toMatchObject({ delivered: 1, inFlight: 1 });
    release();
    await client.flush();
    expect(client.stats()).toMatchObject({ delivered: 2, inFlight: 0 });
  });

  it("retries 429 and 5xx a few times, then throws the last failure", async () => {
    const statuses = [429, 500, 503, 503];
    const { client, calls } = fake(() => ({ status: statuses.shift() ?? 202, headers: { "retry-after": "0" } }), { maxAttempts: 3 });
    await expect(client.feedback("r1", 3)).rejects.toMatchObject({ status: 503 });
    expect(calls).toHaveLength(3);
  });
});
