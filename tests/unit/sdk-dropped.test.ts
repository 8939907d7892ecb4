import { describe, expect, it } from "vitest";
import { createClient, type CanaryError } from "@/lib/sdk/client";

// What stats().dropped counts: every event the SDK refused itself and never sent (invalid, buffer
// full, client closed), as the README's SDK section says; the server's refusals are `failed`.

function client(answer: number, maxBufferedEvents?: number) {
  const errors: CanaryError[] = [];
  let sent = 0;
  const fetchImpl: typeof fetch = async (_input, init) => {
    sent += (JSON.parse(String(init?.body)) as { events: unknown[] }).events.length;
    const body = answer === 202 ? { accepted: 1, duplicates: 0 } : { error: { code: "invalid_request", message: "Refused.", details: [{ path: "events.0.versionId", message: "is wrong" }] } };
    return new Response(JSON.stringify(body), { status: answer });
  };
  const canary = createClient({ baseUrl: "http://canary.test", apiKey: "key", fetch: fetchImpl, flushOnExit: false, flushIntervalMs: 60_000, maxBufferedEvents, onError: (e) => errors.push(e) });
  return { canary, errors, sent: () => sent };
}

const event = (requestId: string, extra: Record<string, unknown> = {}) => ({ requestId, config: "chat", versionId: "ver_1", isError: false, latencyMs: 5, ...extra });

describe("stats().dropped", () => {
  it("counts an event report() refuses as invalid, which is never sent", async () => {
    const { canary, errors, sent } = client(202);
    expect(canary.report(event("r1", { latencyMs: -1 }))).toBe(false);
    await canary.flush();
    expect(canary.stats()).toMatchObject({ dropped: 1, failed: 0, delivered: 0 });
    expect(sent()).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(["invalid_event"]);
    await canary.close();
  });

  it("counts events refused because the buffer is full, and after close()", async () => {
    const { canary } = client(202, 2);
    for (let i = 0; i < 3; i++) canary.report(event(`r${i}`));
    expect(canary.stats()).toMatchObject({ buffered: 2, dropped: 1 });
    await canary.close();
    expect(canary.report(event("late"))).toBe(false);
    expect(canary.stats()).toMatchObject({ delivered: 2, dropped: 2, failed: 0 });
  });

  it("does not count what the server refused: that is failed", async () => {
    const { canary } = client(400);
    canary.report(event("r1"));
    await canary.flush();
    expect(canary.stats()).toMatchObject({ dropped: 0, failed: 1 });
    await canary.close();
  });
});
