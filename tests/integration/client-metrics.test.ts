import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { MAX_SAMPLE_CHARS } from "@/lib/limits";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { rollupsVsRecomputed } from "../helpers/rollup-recompute";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// /api/metrics and /api/feedback over real HTTP against a real database: what is stored, what
// is refused (with nothing stored), and rollups that always equal a recomputation from the raw
// outcomes.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 256 });

let db: TestDatabase;
let srv: ClientApiServer;
let key: string;
let stableId: string;
let canaryId: string;
let otherConfigVersion: string;
let rolloutId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await createConfig(db.prisma, system, { key: "chat", name: "Chat" });
  await createConfig(db.prisma, system, { key: "search", name: "Search" });
  stableId = (await createVersion(db.prisma, system, "chat", version("v1"))).id;
  canaryId = (await createVersion(db.prisma, system, "chat", version("v2"))).id;
  otherConfigVersion = (await createVersion(db.prisma, system, "search", version("s1"))).id;
  rolloutId = (await startRollout(db.prisma, system, "chat", { canaryVersionId: canaryId })).id;
  key = await adminKey(db.prisma, ["metrics"]);
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

let seq = 0;
const event = (over: Record<string, unknown> = {}) => ({
  requestId: `r-${++seq}`,
  config: "chat",
  versionId: seq % 3 === 0 ? canaryId : stableId,
  isError: seq % 7 === 0,
  latencyMs: 200 + ((seq * 37) % 3000),
  ...(seq % 4 === 0 ? { rating: 1 + (seq % 5) } : {}),
  ...(seq % 2 === 0 ? { inputTokens: 100 + seq, outputTokens: 50, costUsd: 0.0004 } : {}),
  ...over,
});
const post = (body: unknown, path = "/api/metrics") => send(srv.baseUrl, path, { auth: key, body });
const outcomeCount = async () => db.prisma.outcome.count();

describe("POST /api/metrics", () => {
  it("stores a batch once, attributes it to the rollout and variant, and keeps the rollups exact", async () => {
    const events = Array.from({ length: 300 }, () => event());
    const first = await post({ events });
    expect(first).toMatchObject({ status: 202, body: { accepted: 300, duplicates: 0 } });
    const again = await post({ events: [...events.slice(0, 50), event()] });
    expect(again.body).toEqual({ accepted: 1, duplicates: 50 });
    const twiceInOne = event();
    expect((await post({ events: [twiceInOne, { ...twiceInOne, latencyMs: 9 }] })).body).toEqual({ accepted: 1, duplicates: 1 });
    expect(await outcomeCount()).toBe(302);
    // Late outcomes spread over minutes on both sides of an hour boundary, inside the rollout and not.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    const spread = [-30_000, 10_000, 70_000, 71_000, 3_570_000, 3_599_000].flatMap((offset, i) => [
      event({ at: new Date(hour + offset).toISOString() }),
      event({ at: new Date(hour + offset + 500).toISOString(), rolloutId, versionId: i % 2 ? canaryId : stableId, rating: 1 + (i % 5) }),
    ]);
    expect((await post({ events: spread })).body).toEqual({ accepted: 12, duplicates: 0 });

    // The first batch's (now, no rolloutId), not a late one: those of before the rollout have none.
    const canary = await db.prisma.outcome.findFirstOrThrow({ where: { versionId: canaryId }, orderBy: { id: "asc" } });
    const stable = await db.prisma.outcome.findFirstOrThrow({ where: { versionId: stableId }, orderBy: { id: "asc" } });
    expect([canary.variant, canary.rolloutId, stable.variant, stable.rolloutId]).toEqual(["canary", rolloutId, "stable", rolloutId]);
    const { stored, recomputed } = await rollupsVsRecomputed(db.prisma);
    expect(stored).toEqual(recomputed);
  });

  it("cuts long input and output samples instead of refusing them, and takes `at` from the client", async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 7_200_000);
    const e = event({ input: "é".repeat(MAX_SAMPLE_CHARS + 500), output: "short", at: new Date(at.getTime() + 3_600_000).toISOString().replace("Z", "+01:00") });
    expect((await post({ events: [e] })).status).toBe(202);
    const row = await db.prisma.outcome.findFirstOrThrow({ where: { requestId: e.requestId } });
    expect([row.input!.length, row.output, row.at.toISOString()]).toEqual([MAX_SAMPLE_CHARS, "short", at.toISOString()]);
  });

  it("stores text exactly as sent, whatever characters it holds", async () => {
    // The columns travel as Postgres array literals: quotes, backslashes, commas, braces, the word
    // NULL and empty strings must survive as themselves.
    const texts = ['say "hi"', "back\\slash\\", "a,b", "{x}", "NULL", "", " padded ", "line\nbreak\ttab", "日本語 🚀", '\\"{,}"\\'];
    const events = texts.map((text, i) => event({ requestId: `text-${i}-${text.replace(/\s/g, "_")}`, errorType: text.slice(0, 50), input: text, output: `${text}!` }));
    expect((await post({ events })).body).toEqual({ accepted: texts.length, duplicates: 0 });
    const rows = await db.prisma.outcome.findMany({ where: { requestId: { in: events.map((e) => e.requestId as string) } } });
    const byId = new Map(rows.map((r) => [r.requestId, [r.errorType, r.input, r.output]]));
    expect(events.map((e) => byId.get(e.requestId as string))).toEqual(texts.map((text) => [text.slice(0, 50), text, `${text}!`]));
  });

  it("refuses a batch with any bad event, naming each event's index and field, and stores nothing", async () => {
    const before = await outcomeCount();
    const rollupsBefore = await db.prisma.metricRollup.findMany({ orderBy: { id: "asc" } });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const cases: [unknown, number, { path: string; message: RegExp }[]][] = [
      [{ events: [event(), event({ isError: "no" })] }, 400, [{ path: "events.1.isError", message: /must be a boolean, not a string/ }]],
      [{ events: [event({ latencyMs: -5 }), event(), event({ rating: 7 })] }, 400, [
        { path: "events.0.latencyMs", message: /0 or more/ },
        { path: "events.2.rating", message: /from 1 to 5/ },
      ]],
      [{ events: [...Array.from({ length: 250 }, () => event()), event({ rating: 0 }), event(), event({ isError: 1 })] }, 400, [
        { path: "events.250.rating", message: /from 1 to 5/ },
        { path: "events.252.isError", message: /must be a boolean/ },
      ]],
      [{ events: [event({ latencyMs: Number.MAX_SAFE_INTEGER })] }, 400, [{ path: "events.0.latencyMs", message: /at most 3600000/ }]],
      [{ events: [event({ requestId: "" })] }, 400, [{ path: "events.0.requestId", message: /must not be empty/ }]],
      [{ events: [event({ costUsd: "1" })] }, 400, [{ path: "events.0.costUsd", message: /number/ }]],
      [{ events: [event({ at: "yesterday" })] }, 400, [{ path: "events.0.at", message: /ISO 8601/ }]],
      [{ events: [event({ extra: 1 })] }, 400, [{ path: "events.0", message: /unknown field `extra`/ }]],
      [{ events: [event(), event({ config: "nope" })] }, 400, [{ path: "events.1.config", message: /names no config/ }]],
      [{ events: [event({ versionId: otherConfigVersion })] }, 400, [{ path: "events.0.versionId", message: /no version of config `chat`/ }]],
      [{ events: [event({ at: future })] }, 400, [{ path: "events.0.at", message: /in the future/ }]],
      [{ events: [] }, 400, [{ path: "events", message: /at least 1 event/ }]],
      [{ events: Array.from({ length: 1001 }, () => event()) }, 400, [{ path: "events", message: /at most 1000 events/ }]],
      [{ event: [] }, 400, [{ path: "events", message: /required/ }, { path: "(root)", message: /unknown field `event`/ }]],
    ];
    for (const [body, status, details] of cases) {
      const answer = await post(body);
      expect(answer.status).toBe(status);
      expect(answer.body.error.details).toEqual(details.map((d) => ({ path: d.path, message: expect.stringMatching(d.message) })));
      expect(answer.body.error.message).toMatch(new RegExp(`\`${details[0].path}\``));
    }
    const raw = (r: string, contentType?: string) => send(srv.baseUrl, "/api/metrics", { auth: key, raw: r, contentType });
    expect((await raw("{")).status).toBe(400);
    expect((await raw(JSON.stringify({ events: [event()] }), "text/plain")).status).toBe(415);
    expect((await raw(JSON.stringify({ events: [event({ input: "x".repeat(10_000_001) })] }))).status).toBe(413);
    expect(await outcomeCount()).toBe(before);
    expect(await db.prisma.metricRollup.findMany({ orderBy: { id: "asc" } })).toEqual(rollupsBefore);
  });

  it("needs a key with the metrics scope", async () => {
    const routeOnly = await adminKey(db.prisma, ["route"]);
    await srv.api.store.reload();
    expect((await send(srv.baseUrl, "/api/metrics", { auth: routeOnly, body: { events: [event()] } })).status).toBe(403);
    expect((await send(srv.baseUrl, "/api/metrics", { body: { events: [event()] } })).status).toBe(401);
    expect((await send(srv.baseUrl, "/api/metrics", { auth: key })).status).toBe(405);
  });
});

describe("POST /api/feedback", () => {
  it("adds a late rating to the outcome and its rollup; a second one replaces it, keeping the first in the history", async () => {
    const e = event({ versionId: canaryId });
    delete (e as { rating?: number }).rating;
    await post({ events: [e] });
    const first = await post({ requestId: e.requestId, rating: 2, comment: "too long" }, "/api/feedback");
    expect(first).toMatchObject({ status: 202, body: { requestId: e.requestId, config: "chat", rating: 2, replaced: null } });
    const second = await post({ requestId: e.requestId, rating: 5 }, "/api/feedback");
    expect(second.body).toMatchObject({ rating: 5, replaced: 2 });
    const row = await db.prisma.outcome.findFirstOrThrow({ where: { requestId: e.requestId } });
    expect(row.rating).toBe(5);
    expect(row.ratingHistory).toEqual([{ rating: 2, comment: "too long", at: expect.any(String) }]);
    const { stored, recomputed } = await rollupsVsRecomputed(db.prisma);
    expect(stored).toEqual(recomputed);
  });

  it("takes ratings while batches land in the same rollup rows: none refused, none lost, rollups exact", async () => {
    // Feedback moves a rating in the minute and hour rollups while ingest upserts the same rows;
    // a deadlock between them must be retried on the server, not handed to the client.
    const at = new Date().toISOString();
    const rated = Array.from({ length: 120 }, () => {
      const e = event({ at });
      delete (e as { rating?: number }).rating;
      return e;
    });
    expect((await post({ events: rated })).status).toBe(202);
    const batches = Array.from({ length: 12 }, () => post({ events: Array.from({ length: 100 }, () => event({ at })) }));
    const ratings = rated.map((e, i) => post({ requestId: e.requestId, rating: 1 + (i % 5) }, "/api/feedback"));
    const answers = await Promise.all([...batches, ...ratings]);
    expect(answers.map((a) => a.status).filter((status) => status !== 202)).toEqual([]);
    const stored = await db.prisma.outcome.findMany({ where: { requestId: { in: rated.map((e) => e.requestId) } } });
    expect(stored.map((o) => o.rating).sort()).toEqual(rated.map((_, i) => 1 + (i % 5)).sort());
    const { stored: rollups, recomputed } = await rollupsVsRecomputed(db.prisma);
    expect(rollups).toEqual(recomputed);
  });

  it("answers 404 for an unknown request id, 400 naming a bad field, and 409 when the id is ambiguous", async () => {
    const feedback = (body: unknown) => post(body, "/api/feedback");
    expect((await feedback({ requestId: "never-reported", rating: 3 })).status).toBe(404);
    const bad = await feedback({ requestId: "x", rating: 7 });
    expect(bad.body.error).toMatchObject({ message: "The `rating` field must be from 1 to 5.", details: [{ path: "rating" }] });
    expect((await feedback({ requestId: "x", rating: 3.5 })).status).toBe(400);
    const shared = `shared-${seq}`;
    await post({ events: [event({ requestId: shared }), event({ requestId: shared, config: "search", versionId: otherConfigVersion })] });
    const ambiguous = await feedback({ requestId: shared, rating: 4 });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.message).toMatch(/`chat`, `search`/);
    expect((await feedback({ requestId: shared, rating: 4, config: "search" })).body).toMatchObject({ config: "search", rating: 4 });
  });
});
