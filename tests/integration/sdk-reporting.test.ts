import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { recordingFetch, startSdkFixture, type SdkFixture } from "../helpers/sdk-fixture";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// SDK delivery against the real client API over real HTTP and a real database: outcomes batched
// and stored exactly once, the fields a spread route answer carries (rolloutId included), batches
// too large for the server split, and feedback on a reported request.

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

describe("report()", () => {
  it("delivers 1,200 outcomes in batches of 500, each stored once, and a resend of them stores nothing new", async () => {
    const recorder = recordingFetch();
    const { client, errors } = fx.sdk({ fetch: recorder.fetch });
    const events = Array.from({ length: 1200 }, (_, i) => fx.outcome(`bulk-${i}`, { versionId: i % 3 ? fx.chatStable : fx.chatCanary, inputTokens: i }));
    expect(events.map((e) => client.report(e)).every(Boolean)).toBe(true);
    await client.flush();
    expect(await fx.storedCount("bulk-")).toBe(1200);
    expect(recorder.statuses("/api/metrics")).toEqual([202, 202, 202]);
    expect(client.stats()).toEqual({ buffered: 0, inFlight: 0, delivered: 1200, duplicates: 0, dropped: 0, failed: 0 });

    const again = fx.sdk();
    events.forEach((e) => again.client.report(e));
    await again.client.flush();
    expect(await fx.storedCount("bulk-")).toBe(1200);
    expect(again.client.stats()).toMatchObject({ delivered: 1200, duplicates: 1200, failed: 0 });
    expect([...errors, ...again.errors]).toEqual([]);
  });

  it("takes a spread route answer, keeping only the outcome's fields", async () => {
    const { client, errors } = fx.sdk();
    const answer = await client.route("chat", "spread-user");
    if (answer.source === "default") throw new Error("expected a routed answer");
    expect(client.report({ ...answer, requestId: `spread-${answer.requestId}`, isError: true, errorType: "timeout", latencyMs: 42.5, at: new Date(Date.now() - 60_000) })).toBe(true);
    await client.flush();
    const row = await db.prisma.outcome.findFirstOrThrow({ where: { requestId: `spread-${answer.requestId}` } });
    expect(row).toMatchObject({ versionId: answer.versionId, isError: true, errorType: "timeout", latencyMs: 43 });
    expect(errors).toEqual([]);
  });

  it("sends the route answer's rolloutId, so the outcome counts for that rollout; null stores it outside any rollout", async () => {
    const { client, errors } = fx.sdk();
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

  it("sends a batch too large for the server's 10 MB body limit in halves", async () => {
    const recorder = recordingFetch();
    const { client, errors } = fx.sdk({ fetch: recorder.fetch });
    const sample = "€".repeat(4000); // 3 bytes each in UTF-8: 500 such events make 12 MB
    for (let i = 0; i < 500; i++) client.report(fx.outcome(`large-${i}`, { input: sample, output: sample }));
    await client.flush();
    expect(recorder.statuses("/api/metrics")).toEqual([413, 202, 202]);
    expect(await fx.storedCount("large-")).toBe(500);
    expect(client.stats()).toMatchObject({ delivered: 500, failed: 0 });
    expect(errors).toEqual([]);
  });
});

describe("feedback()", () => {
  it("rates a reported request, waiting for the outcome's delivery if it is still queued", async () => {
    const { client } = fx.sdk({ flushIntervalMs: 60_000 });
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
});
