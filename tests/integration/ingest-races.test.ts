import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { rollupsVsRecomputed } from "../helpers/rollup-recompute";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Several clients reporting the same outcomes at once (retries, a replayed buffer) and several
// ratings of one request racing, over real HTTP against a real database: each outcome stored
// once, every answer counted, every rating either the final one or in the history, and the
// rollups equal to a recomputation from the raw outcomes.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 256 });

const CLIENTS = 5;
const OUTCOMES = 600;
const RATERS = 4; // concurrent ratings per request id, each a different rating
const RATED = 200; // request ids rated, all from the first half (stored before the race)
const STRIDES = [1, 7, 11, 13, 17]; // coprime to OUTCOMES: each client's order is a permutation
// Requests rated at a time, RATERS ratings each: 400 ratings in flight. Ratings of one minute
// serialize on its rollup rows (~250/s here); with Prisma's default 2 s to start a transaction,
// 320 in flight already had 63 refused with 503. A rating now waits up to 10 s for its turn.
const RATING_WORKERS = 100;

let db: TestDatabase;
let srv: ClientApiServer;
let keys: string[];
let stableId: string;
let canaryId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await createConfig(db.prisma, system, { key: "chat", name: "Chat" });
  stableId = (await createVersion(db.prisma, system, "chat", version("v1"))).id;
  canaryId = (await createVersion(db.prisma, system, "chat", version("v2"))).id;
  await startRollout(db.prisma, system, "chat", { canaryVersionId: canaryId });
  keys = [];
  for (let c = 0; c < CLIENTS; c++) keys.push(await adminKey(db.prisma, ["metrics"]));
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

// Every event in the same minute of the same hour, so all writers meet on the same rollup rows.
const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30_000).toISOString();
const event = (i: number) => ({
  requestId: `race-${i}`,
  config: "chat",
  versionId: i % 4 === 0 ? canaryId : stableId,
  isError: i % 11 === 0,
  latencyMs: 100 + ((i * 37) % 2000),
  costUsd: 0.0001 * (i % 7),
  ...(i % 3 === 0 ? { rating: 1 + (i % 5) } : {}), // some arrive rated: feedback then replaces that rating
  at,
});
const initialRating = (i: number) => (i % 3 === 0 ? 1 + (i % 5) : null);

type Answer = Awaited<ReturnType<typeof send>>;
const metrics = (client: number, events: unknown[]) => send(srv.baseUrl, "/api/metrics", { auth: keys[client], body: { events } });
const feedback = (client: number, body: unknown) => send(srv.baseUrl, "/api/feedback", { auth: keys[client], body });

describe("concurrent outcomes and feedback for the same request ids", () => {
  it(`${CLIENTS} clients send the same ${OUTCOMES} outcomes while ${RATERS} ratings race per request: nothing doubled, nothing lost`, async () => {
    const started = performance.now();
    const all = Array.from({ length: OUTCOMES }, (_, i) => event(i));
    const rated = Array.from({ length: RATED }, (_, i) => i); // stored before the race, so feedback finds them

    // The first half lands first, from one client.
    const first = await Promise.all([0, 100, 200].map((offset) => metrics(0, all.slice(offset, offset + 100))));
    const sent: { events: number; answer: Answer }[] = first.map((answer) => ({ events: 100, answer }));

    // Then every client sends everything, in its own order and batch size and with one event
    // twice in its first batch, while RATERS ratings per stored request race each other.
    const batches = Array.from({ length: CLIENTS }, (_, c) => {
      const order = all.map((_, i) => all[(i * STRIDES[c] + c * 97) % OUTCOMES]); // a permutation per client
      const size = 60 + 40 * c;
      const chunks: (typeof all)[] = [];
      for (let offset = 0; offset < order.length; offset += size) chunks.push(order.slice(offset, offset + size));
      chunks[0] = [...chunks[0], chunks[0][0]];
      return chunks.map((events) => ({ client: c, events }));
    }).flat();
    for (let c = 0; c < CLIENTS; c++) {
      const ids = batches.filter((b) => b.client === c).flatMap((b) => b.events.map((e) => e.requestId));
      expect(new Set(ids).size, `client ${c} sends every outcome`).toBe(OUTCOMES);
    }
    // Offsets 1-4: never the rating an outcome arrived with, so each rating of a request is distinct.
    const ratingOf = (i: number, k: number) => 1 + ((i + k + 1) % 5);
    let ingestDoneMs = 0;
    const rateAll = async () => {
      const answers: { i: number; k: number; answer: Answer }[] = [];
      let next = 0;
      const worker = async () => {
        for (let i = rated[next++]; i !== undefined; i = rated[next++]) {
          const race = Array.from({ length: RATERS }, async (_, k) => ({ i, k, answer: await feedback(k % CLIENTS, { requestId: `race-${i}`, rating: ratingOf(i, k), comment: `rater ${k}` }) }));
          answers.push(...(await Promise.all(race)));
        }
      };
      await Promise.all(Array.from({ length: RATING_WORKERS }, worker));
      return answers;
    };
    const [ingested, ratings] = await Promise.all([
      // Each client sends one batch at a time, as the SDK does; the clients run side by side.
      Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          const answers: { events: number; answer: Answer }[] = [];
          for (const { events } of batches.filter((b) => b.client === c)) answers.push({ events: events.length, answer: await metrics(c, events) });
          ingestDoneMs = Math.max(ingestDoneMs, performance.now() - started);
          return answers;
        }),
      ).then((perClient) => perClient.flat()),
      rateAll(),
    ]);
    sent.push(...ingested);
    const raceMs = performance.now() - started;

    // Every batch answered 202, and its accepted and duplicates add up to what it carried; across
    // all answers, each outcome was accepted exactly once.
    expect(sent.filter((s) => s.answer.status !== 202).map((s) => [s.answer.status, JSON.stringify(s.answer.body)])).toEqual([]);
    for (const s of sent) expect(s.answer.body.accepted + s.answer.body.duplicates).toBe(s.events);
    const accepted = sent.reduce((n, s) => n + s.answer.body.accepted, 0);
    const duplicates = sent.reduce((n, s) => n + s.answer.body.duplicates, 0);
    expect(accepted).toBe(OUTCOMES);
    expect(accepted + duplicates).toBe(sent.reduce((n, s) => n + s.events, 0));

    // One row per (config, requestId), each the outcome sent.
    const stored = await db.prisma.outcome.findMany({ orderBy: { requestId: "asc" } });
    expect(stored).toHaveLength(OUTCOMES);
    const repeated = await db.prisma.$queryRaw<unknown[]>`SELECT config_id, request_id FROM outcomes GROUP BY config_id, request_id HAVING count(*) > 1`;
    expect(repeated).toEqual([]);
    const byId = new Map(stored.map((o) => [o.requestId, o]));
    for (const [i, e] of all.entries()) {
      expect(byId.get(e.requestId), e.requestId).toMatchObject({ versionId: e.versionId, isError: e.isError, latencyMs: e.latencyMs, variant: i % 4 === 0 ? "canary" : "stable" });
    }

    // Every rating answered 202. Per request, the ratings form one chain in commit order: each
    // answer's `replaced` is the rating committed just before it, the last one is the outcome's
    // rating, and the history holds all the others, oldest first.
    expect(ratings.filter((r) => r.answer.status !== 202).map((r) => [r.answer.status, r.answer.body])).toEqual([]);
    let historyEntries = 0;
    for (const i of rated) {
      const o = byId.get(`race-${i}`)!;
      const history = (o.ratingHistory as { rating: number; comment: string | null }[]).map((h) => h.rating);
      const chain = [...history, o.rating];
      const answers = ratings.filter((r) => r.i === i);
      const expectedChain = [initialRating(i), ...answers.map((a) => a.answer.body.rating)].filter((r) => r !== null);
      expect([...chain].sort(), `race-${i}: every rating is the final one or in the history`).toEqual([...expectedChain].sort());
      expect(history).toHaveLength(RATERS - 1 + (initialRating(i) === null ? 0 : 1));
      expect(answers.filter((a) => a.answer.body.replaced !== null)).toHaveLength(history.length);
      for (const a of answers) {
        const position = chain.indexOf(a.answer.body.rating);
        expect(a.answer.body.replaced, `race-${i}, rater ${a.k}`).toBe(position === 0 ? null : chain[position - 1]);
      }
      const last = answers.find((a) => a.answer.body.rating === o.rating)!;
      expect(o.ratingComment).toBe(`rater ${last.k}`);
      historyEntries += history.length;
    }
    // Outcomes nobody rated keep the rating they arrived with, and no history.
    for (const o of stored.filter((o) => Number(o.requestId.slice(5)) >= RATED)) {
      expect([o.rating, o.ratingHistory]).toEqual([initialRating(Number(o.requestId.slice(5))), []]);
    }

    // The rollups moved with every rating and batch: equal to a recomputation from raw outcomes.
    const { stored: rollups, recomputed } = await rollupsVsRecomputed(db.prisma);
    expect(rollups).toEqual(recomputed);
    console.info(
      `[ingest-races] ${batches.length + first.length} batches (${accepted} accepted, ${duplicates} duplicates) and ${ratings.length} ratings ` +
        `(${historyEntries} replaced) in ${raceMs.toFixed(0)} ms (batches done after ${ingestDoneMs.toFixed(0)} ms)`,
    );
  });
});
