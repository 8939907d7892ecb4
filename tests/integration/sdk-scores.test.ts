import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_SCORES_PER_EVENT } from "@/lib/limits";
import { createScore } from "@/lib/release/score-service";
import { send, waitFor } from "../helpers/client-api-server";
import { recordingFetch, startSdkFixture, system, type SdkFixture } from "../helpers/sdk-fixture";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// SDK custom scores against the real client API over real HTTP and a real database: scores on
// reported outcomes, late scores sent after their outcome (waiting for it when it is still queued,
// and trying again while the server has not stored it), replaced scores kept in their history,
// and bad scores refused by the SDK before they cost a batch.

let db: TestDatabase;
let fx: SdkFixture;

beforeAll(async () => {
  db = await createTestDatabase();
  fx = await startSdkFixture(db);
  await createScore(db.prisma, system, "chat", { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 });
  await createScore(db.prisma, system, "chat", { key: "valid_json", label: "Valid JSON", kind: "boolean" });
  await waitFor(async () => fx.srv.api.store.current.configsByKey.get("chat")!.scores.size === 2);
});
afterAll(async () => {
  await fx?.close();
  await db?.close();
});
afterEach(() => fx.closeClients());

/** The stored scores of a chat request: value and history values by key. */
async function storedScores(requestId: string) {
  const { id: configId } = await db.prisma.config.findUniqueOrThrow({ where: { key: "chat" } });
  const outcome = await db.prisma.outcome.findFirst({ where: { configId, requestId } });
  if (!outcome) return null;
  const rows = await db.prisma.outcomeScore.findMany({ where: { outcomeId: outcome.id }, orderBy: { scoreKey: "asc" } });
  return Object.fromEntries(rows.map((r) => [r.scoreKey, [r.value, ...(r.history as { value: number }[]).map((h) => h.value)]]));
}
const quickLateRetry = (maxAttempts: number) => ({ lateScoreRetry: { maxAttempts, baseDelayMs: 20, maxDelayMs: 40 } });

describe("report({ ..., scores })", () => {
  it("delivers outcomes with their scores; a score the config does not define drops only its outcome", async () => {
    const { client, errors } = fx.sdk();
    expect(client.report(fx.outcome("rs-1", { scores: { groundedness: 0.8, valid_json: true } }))).toBe(true);
    expect(client.report(fx.outcome("rs-2", { scores: { relevance: 0.5 } }))).toBe(true); // valid shape; only the server knows the config's scores
    expect(client.report(fx.outcome("rs-3", { scores: {} }))).toBe(true);
    await client.flush();
    expect(await storedScores("rs-1")).toEqual({ groundedness: [0.8], valid_json: [1] });
    expect(await storedScores("rs-2")).toBeNull();
    expect(await storedScores("rs-3")).toEqual({});
    expect(errors.map((e) => [e.code, e.details.map((d) => d.path), e.events.map((o) => o.requestId)])).toEqual([["invalid_request", ["events.0.scores.relevance"], ["rs-2"]]]);
  });

  it("refuses scores the server would refuse for their shape, before they cost a batch", async () => {
    const { client, errors } = fx.sdk();
    const tooMany = Object.fromEntries(Array.from({ length: MAX_SCORES_PER_EVENT + 1 }, (_, i) => [`s${i}`, 1]));
    const bad: [unknown, RegExp][] = [
      [{ Groundedness: 1 }, /`scores\.Groundedness` is not a score key/],
      [{ groundedness: Number.NaN }, /`scores\.groundedness` must be a finite number or true\/false/],
      [{ groundedness: Number.POSITIVE_INFINITY }, /finite number/],
      [{ groundedness: "0.5" }, /finite number or true\/false/],
      [tooMany, new RegExp(`at most ${MAX_SCORES_PER_EVENT} scores`)],
      [[0.5], /`scores` must be an object/],
    ];
    for (const [scores] of bad) expect(client.report(fx.outcome("never", { scores: scores as Record<string, number> }))).toBe(false);
    expect(errors.map((e) => e.code)).toEqual(bad.map(() => "invalid_event"));
    errors.forEach((e, i) => expect(e.message).toMatch(bad[i][1]));
    expect(client.stats()).toMatchObject({ dropped: bad.length, delivered: 0 });
  });
});

describe("score()", () => {
  it("sends late scores after the outcome they score, even when it is still queued; a second score replaces the first", async () => {
    const recorder = recordingFetch();
    const { client, errors } = fx.sdk({ fetch: recorder.fetch, flushIntervalMs: 60_000 });
    client.report(fx.outcome("late-1", { scores: { groundedness: 0.4 } }));
    expect(client.score("late-1", { valid_json: false, groundedness: 0.6 })).toBe(true);
    await client.flush();
    expect(recorder.statuses("/api/scores")).toEqual([202]);
    expect(await storedScores("late-1")).toEqual({ groundedness: [0.6, 0.4], valid_json: [0] });
    client.score("late-1", { valid_json: true });
    await client.flush();
    expect(await storedScores("late-1")).toEqual({ groundedness: [0.6, 0.4], valid_json: [1, 0] });
    expect(client.scoreStats()).toEqual({ buffered: 0, inFlight: 0, waiting: 0, delivered: 2, replaced: 2, dropped: 0, failed: 0 });
    expect(errors).toEqual([]);
  });

  it("keeps trying while the server has not stored the outcome (404), and sends the rest of the batch at once", async () => {
    const recorder = recordingFetch();
    const { client, errors } = fx.sdk({ fetch: recorder.fetch, ...quickLateRetry(50) });
    await send(fx.srv.baseUrl, "/api/metrics", { auth: `Bearer ${fx.apiKey}`, body: { events: [fx.outcome("stored-1")] } });
    // Scored here before another process (a plain POST) reports it.
    client.score("elsewhere-1", { groundedness: 0.9 });
    client.score("stored-1", { groundedness: 0.1 });
    await waitFor(async () => client.scoreStats().waiting === 1 && client.scoreStats().inFlight === 0);
    expect(await storedScores("stored-1")).toEqual({ groundedness: [0.1] });
    await send(fx.srv.baseUrl, "/api/metrics", { auth: `Bearer ${fx.apiKey}`, body: { events: [fx.outcome("elsewhere-1")] } });
    await client.flush();
    expect(await storedScores("elsewhere-1")).toEqual({ groundedness: [0.9] });
    const statuses = recorder.statuses("/api/scores");
    expect([statuses[0], statuses[1], statuses.at(-1)]).toEqual([404, 202, 202]);
    expect(client.scoreStats()).toMatchObject({ waiting: 0, delivered: 2, failed: 0 });
    expect(errors).toEqual([]);
  });

  it("gives a late score up, with code not_found, after lateScoreRetry.maxAttempts answers of 404", async () => {
    const recorder = recordingFetch();
    const { client, errors } = fx.sdk({ fetch: recorder.fetch, ...quickLateRetry(3) });
    client.score("never-reported", { groundedness: 0.5 }, { config: "chat" });
    await client.flush();
    expect(recorder.statuses("/api/scores")).toEqual([404, 404, 404]);
    expect(errors.map((e) => [e.code, e.status, e.scores.map((s) => s.requestId), e.events.length])).toEqual([["not_found", 404, ["never-reported"], 0]]);
    expect(errors[0].message).toMatch(/^1 late score\(s\) given up: their outcome was not stored on the server after 3 attempts/);
    expect(client.scoreStats()).toMatchObject({ waiting: 0, delivered: 0, failed: 1 });
  });

  it("drops only a late score the server refuses and delivers the others", async () => {
    const { client, errors } = fx.sdk();
    client.report(fx.outcome("mixed-1"));
    client.report(fx.outcome("mixed-2"));
    client.score("mixed-1", { groundedness: 1.5 }); // out of range: only the server knows the range
    client.score("mixed-2", { groundedness: 0.5 });
    await client.flush();
    expect(await storedScores("mixed-1")).toEqual({});
    expect(await storedScores("mixed-2")).toEqual({ groundedness: [0.5] });
    expect(errors.map((e) => [e.code, e.details, e.scores.map((s) => s.requestId)])).toEqual([
      ["invalid_request", [{ path: "events.0.scores.groundedness", message: "must be from 0 to 1; it was 1.5" }], ["mixed-1"]],
    ]);
  });

  it("refuses a bad late score at once, and gives up waiting ones at close", async () => {
    const { client, errors } = fx.sdk({ closeTimeoutMs: 200, ...quickLateRetry(1000) });
    expect(client.score("", { groundedness: 1 })).toBe(false);
    expect(client.score("r", {})).toBe(false);
    expect(client.score("r", { groundedness: 1 }, { config: "Not A Key" })).toBe(false);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Late score not sent: `requestId` must be 1-200 characters/),
      "Late score not sent: `scores` must hold at least 1 score.",
      "Late score not sent: `config` must be a config key like support-chat.",
    ]);
    client.score("not-yet", { groundedness: 1 });
    await waitFor(async () => client.scoreStats().waiting === 1);
    await client.close();
    expect(errors.at(-1)).toMatchObject({ code: "gave_up", scores: [{ requestId: "not-yet" }] });
    expect(client.scoreStats()).toMatchObject({ waiting: 0, failed: 1, dropped: 3 });
    expect(client.score("after-close", { groundedness: 1 })).toBe(false);
  });
});
