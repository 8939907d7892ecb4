import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createScore } from "@/lib/release/score-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { rollupsVsRecomputed, scoreRollupsVsRecomputed } from "../helpers/rollup-recompute";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Late scores for the same outcomes from two clients at once, round after round, while other
// clients ingest outcomes with scores into the same rollup rows (and resend stored ones), over
// real HTTP against a real database: every batch answered 202, every value sent either the
// current one or in its score's history, `replaced` adding up to the histories, and the score
// rollups equal to a recomputation from the raw scores.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 256 });

const SCORED = 200; // outcomes stored before the race, scored late by both scorers
const INGESTED = 400; // outcomes ingested during the race
const ROUNDS = 3; // each scorer sends every late score this many times, with new values each time
const SCORERS = 2;

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
  await createScore(db.prisma, system, "chat", { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 });
  await createScore(db.prisma, system, "chat", { key: "valid_json", label: "Valid JSON", kind: "boolean" });
  await startRollout(db.prisma, system, "chat", { canaryVersionId: canaryId });
  keys = [];
  for (let c = 0; c < 4; c++) keys.push(await adminKey(db.prisma, ["metrics"]));
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

// Every outcome in the same minute, so every writer meets on the same rollup rows.
const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30_000).toISOString();
const outcome = (i: number) => ({
  requestId: `race-${i}`,
  config: "chat",
  versionId: i % 4 === 0 ? canaryId : stableId,
  isError: false,
  latencyMs: 100 + i,
  at,
  // Some arrive scored: a late score then replaces that value.
  ...(i % 3 === 0 ? { scores: { groundedness: initial(i), valid_json: true } } : {}),
});
const initial = (i: number) => (i % 1000) / 1000;
/** A value no other writer sends for this outcome: scorer s, round r. */
const lateValue = (i: number, s: number, r: number) => 0.5 + (s * ROUNDS + r) / 100 + i / 1e6;

type Answer = Awaited<ReturnType<typeof send>>;
const post = (client: number, path: string, events: unknown[]) => send(srv.baseUrl, path, { auth: keys[client], body: { events } });

describe("concurrent late scores and ingest for the same outcomes", () => {
  it(`${SCORERS} scorers re-score ${SCORED} outcomes ${ROUNDS} times while ${INGESTED} outcomes with scores land in the same rows`, async () => {
    const started = performance.now();
    const scored = Array.from({ length: SCORED }, (_, i) => outcome(i));
    for (let offset = 0; offset < SCORED; offset += 100) expect((await post(0, "/api/metrics", scored.slice(offset, offset + 100))).status).toBe(202);

    const scorer = async (s: number) => {
      const answers: { values: number; answer: Answer }[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        // Each scorer in its own order and batch size, so their batches overlap differently.
        const order = scored.map((_, k) => (s === 0 ? k : SCORED - 1 - k));
        const size = 40 + 30 * s;
        for (let offset = 0; offset < order.length; offset += size) {
          const events = order.slice(offset, offset + size).map((i) => ({ requestId: `race-${i}`, scores: { groundedness: lateValue(i, s, r), valid_json: (i + s + r) % 2 === 0 } }));
          answers.push({ values: events.length * 2, answer: await post(2 + s, "/api/scores", events) });
        }
      }
      return answers;
    };
    const ingester = async (c: number) => {
      const answers: Answer[] = [];
      // New outcomes with scores, and resends of the stored ones (duplicates: their scores are ignored).
      const events = [...Array.from({ length: INGESTED / 2 }, (_, k) => outcome(SCORED + 2 * k + c)), ...scored.filter((_, i) => i % 2 === c)];
      for (let offset = 0; offset < events.length; offset += 50) answers.push(await post(c, "/api/metrics", events.slice(offset, offset + 50)));
      return answers;
    };
    const [late, ingested] = await Promise.all([
      Promise.all(Array.from({ length: SCORERS }, (_, s) => scorer(s))).then((all) => all.flat()),
      Promise.all([ingester(0), ingester(1)]).then((all) => all.flat()),
    ]);
    const raceMs = performance.now() - started;

    expect([...late.map((l) => l.answer), ...ingested].filter((a) => a.status !== 202).map((a) => [a.status, a.body])).toEqual([]);
    for (const l of late) expect(l.answer.body.accepted).toBe(l.values);
    expect(ingested.reduce((n, a) => n + a.body.accepted, 0)).toBe(INGESTED);

    // Per outcome and key, the current value and the history hold exactly what was sent: the
    // initial value if any, then every late value; the history is what the answers replaced.
    const rows = await db.prisma.outcomeScore.findMany();
    const outcomes = new Map((await db.prisma.outcome.findMany({ select: { id: true, requestId: true } })).map((o) => [o.id, o.requestId]));
    const byRequest = new Map(rows.map((r) => [`${outcomes.get(r.outcomeId)}|${r.scoreKey}`, r]));
    let historyEntries = 0;
    for (let i = 0; i < SCORED; i++) {
      const row = byRequest.get(`race-${i}|groundedness`)!;
      const history = (row.history as { value: number }[]).map((h) => h.value);
      const sent = [...(i % 3 === 0 ? [initial(i)] : []), ...Array.from({ length: SCORERS * ROUNDS }, (_, k) => lateValue(i, Math.floor(k / ROUNDS), k % ROUNDS))];
      expect([...history, row.value].sort(), `race-${i}`).toEqual(sent.sort());
      // Each scorer's rounds commit in order: its later value never precedes its earlier one.
      for (let s = 0; s < SCORERS; s++) {
        const chain = [...history, row.value];
        const positions = Array.from({ length: ROUNDS }, (_, r) => chain.indexOf(lateValue(i, s, r)));
        expect(positions, `race-${i}, scorer ${s}`).toEqual([...positions].sort((a, b) => a - b));
      }
      const json = byRequest.get(`race-${i}|valid_json`)!;
      expect((json.history as unknown[]).length).toBe(SCORERS * ROUNDS - 1 + (i % 3 === 0 ? 1 : 0));
      historyEntries += history.length + (json.history as unknown[]).length;
    }
    expect(late.reduce((n, l) => n + l.answer.body.replaced, 0)).toBe(historyEntries);
    // Outcomes ingested during the race keep the scores they arrived with, and no history.
    for (let i = SCORED; i < SCORED + INGESTED; i++) {
      const row = byRequest.get(`race-${i}|groundedness`);
      expect(row ? [row.value, row.history] : null, `race-${i}`).toEqual(i % 3 === 0 ? [initial(i), []] : null);
    }

    const scoreRollups = await scoreRollupsVsRecomputed(db.prisma);
    expect(scoreRollups.stored).toEqual(scoreRollups.recomputed);
    const metricRollups = await rollupsVsRecomputed(db.prisma);
    expect(metricRollups.stored).toEqual(metricRollups.recomputed);
    console.info(`[score-races] ${late.length} late-score batches (${historyEntries} replaced) and ${ingested.length} ingest batches in ${raceMs.toFixed(0)} ms`);
  });
});
