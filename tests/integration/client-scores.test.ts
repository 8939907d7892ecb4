import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { createApiKey } from "@/lib/auth/api-key-service";
import { MAX_SCORES_PER_EVENT } from "@/lib/limits";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createScore } from "@/lib/release/score-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, waitFor, type ClientApiServer } from "../helpers/client-api-server";
import { rollupsVsRecomputed, scoreRollupsVsRecomputed } from "../helpers/rollup-recompute";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Custom scores over real HTTP against a real database: on outcome events (POST /api/metrics) and
// late (POST /api/scores), replaced with their history kept, refused whole with the event index
// and score key named, 404 until the outcome is stored, and score rollups that always equal a
// recomputation from the raw scores.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 256 });

let db: TestDatabase;
let srv: ClientApiServer;
let key: string;
let stableId: string;
let canaryId: string;
let searchVersion: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await createConfig(db.prisma, system, { key: "chat", name: "Chat" });
  await createConfig(db.prisma, system, { key: "search", name: "Search" });
  stableId = (await createVersion(db.prisma, system, "chat", version("v1"))).id;
  canaryId = (await createVersion(db.prisma, system, "chat", version("v2"))).id;
  searchVersion = (await createVersion(db.prisma, system, "search", version("s1"))).id;
  await createScore(db.prisma, system, "chat", { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 });
  await createScore(db.prisma, system, "chat", { key: "valid_json", label: "Valid JSON", kind: "boolean" });
  await createScore(db.prisma, system, "chat", { key: "turns", label: "Turns", kind: "numeric", min: 1, max: 20, direction: "lower_is_better", guardrail: false });
  await createScore(db.prisma, system, "search", { key: "relevance", label: "Relevance", kind: "numeric", min: 0, max: 10 });
  await startRollout(db.prisma, system, "chat", { canaryVersionId: canaryId });
  key = await adminKey(db.prisma, ["metrics"]);
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

let seq = 0;
const event = (over: Record<string, unknown> = {}) => ({
  requestId: `s-${++seq}`,
  config: "chat",
  versionId: seq % 3 === 0 ? canaryId : stableId,
  isError: false,
  latencyMs: 300 + ((seq * 37) % 2000),
  ...over,
});
const metrics = (events: unknown[], auth = key) => send(srv.baseUrl, "/api/metrics", { auth, body: { events } });
const scores = (body: unknown, auth = key) => send(srv.baseUrl, "/api/scores", { auth, body });
const scoresOf = async (requestId: string, config = "chat") => {
  const { id: configId } = await db.prisma.config.findUniqueOrThrow({ where: { key: config } });
  const outcome = await db.prisma.outcome.findFirstOrThrow({ where: { configId, requestId } });
  const rows = await db.prisma.outcomeScore.findMany({ where: { outcomeId: outcome.id }, orderBy: { scoreKey: "asc" } });
  return Object.fromEntries(rows.map((r) => [r.scoreKey, { value: r.value, history: (r.history as { value: number }[]).map((h) => h.value) }]));
};
/** Everything scores can change, to compare before and after a refused request. */
const scoreState = async () => ({
  outcomes: await db.prisma.outcome.count(),
  scores: await db.prisma.outcomeScore.findMany({ orderBy: [{ outcomeId: "asc" }, { scoreKey: "asc" }] }),
  minute: await db.prisma.scoreRollup.findMany({ orderBy: { id: "asc" } }),
  hour: await db.prisma.scoreRollupHourly.findMany({ orderBy: { id: "asc" } }),
  metricRollups: await db.prisma.metricRollup.findMany({ orderBy: { id: "asc" } }),
});
const expectRollupsExact = async () => {
  const scoreRollups = await scoreRollupsVsRecomputed(db.prisma);
  expect(scoreRollups.stored).toEqual(scoreRollups.recomputed);
  const metricRollups = await rollupsVsRecomputed(db.prisma);
  expect(metricRollups.stored).toEqual(metricRollups.recomputed);
};

describe("scores on outcome events (POST /api/metrics)", () => {
  it("stores each outcome's scores (booleans as 1 and 0) in the same statement as the outcome, and a duplicate's not at all", async () => {
    // Three hours back: the last event (99.5 min after the first) is still in the past at any time of the hour.
    const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 10_800_000;
    const events = Array.from({ length: 200 }, (_, i) =>
      event({
        at: new Date(start + 1_800_000 + i * 30_000).toISOString(), // across minutes and both sides of an hour boundary
        scores: { groundedness: (i % 11) / 10, valid_json: i % 4 !== 0, ...(i % 5 === 0 ? { turns: 1 + (i % 7) } : {}) },
      }),
    );
    expect((await metrics(events)).body).toEqual({ accepted: 200, duplicates: 0 });
    const first = events[0];
    expect(await scoresOf(first.requestId)).toEqual({ groundedness: { value: 0, history: [] }, turns: { value: 1, history: [] }, valid_json: { value: 0, history: [] } });
    expect(await scoresOf(events[1].requestId)).toEqual({ groundedness: { value: 0.1, history: [] }, valid_json: { value: 1, history: [] } });
    expect(await db.prisma.outcomeScore.count()).toBe(200 * 2 + 40);

    // Resent with other scores: the outcome is a duplicate, and so are its scores.
    const resent = await metrics([{ ...first, scores: { groundedness: 1 } }, event({ scores: {} }), event({ scores: null })]);
    expect(resent.body).toEqual({ accepted: 2, duplicates: 1 });
    expect((await scoresOf(first.requestId)).groundedness).toEqual({ value: 0, history: [] });
    expect(await db.prisma.outcomeScore.count()).toBe(440);
    await expectRollupsExact();
  });

  it("attributes scores like their outcome: the rollout, version and variant of each", async () => {
    await metrics([event({ requestId: "attr-canary", versionId: canaryId, scores: { groundedness: 0.25 } })]);
    const outcome = await db.prisma.outcome.findFirstOrThrow({ where: { requestId: "attr-canary" } });
    const minute = new Date(Math.floor(outcome.at.getTime() / 60_000) * 60_000);
    const rollup = await db.prisma.scoreRollup.findFirstOrThrow({ where: { versionId: canaryId, scoreKey: "groundedness", minute } });
    expect(rollup).toMatchObject({ rolloutId: outcome.rolloutId, variant: "canary", configId: outcome.configId });
    expect(outcome.rolloutId).not.toBeNull();
  });
});

describe("late scores (POST /api/scores)", () => {
  it("adds scores to reported outcomes; a re-sent score replaces the earlier one, which moves to its history with its time", async () => {
    const [a, b] = [event({ scores: { groundedness: 0.9 } }), event({ versionId: canaryId })];
    await metrics([a, b]);
    const first = await scores({ events: [{ requestId: a.requestId, scores: { valid_json: true } }, { requestId: b.requestId, config: "chat", scores: { groundedness: 0.4, turns: 3 } }] });
    expect(first).toMatchObject({ status: 202, body: { accepted: 3, replaced: 0 } });
    const second = await scores({ events: [{ requestId: a.requestId, scores: { groundedness: 0.7, valid_json: false } }] });
    expect(second.body).toEqual({ accepted: 2, replaced: 2 });
    expect(await scoresOf(a.requestId)).toEqual({ groundedness: { value: 0.7, history: [0.9] }, valid_json: { value: 0, history: [1] } });
    expect(await scoresOf(b.requestId)).toEqual({ groundedness: { value: 0.4, history: [] }, turns: { value: 3, history: [] } });
    const outcome = await db.prisma.outcome.findFirstOrThrow({ where: { requestId: a.requestId } });
    const row = await db.prisma.outcomeScore.findUniqueOrThrow({ where: { outcomeId_scoreKey_at: { outcomeId: outcome.id, scoreKey: "groundedness", at: outcome.at } } });
    expect(row.history).toEqual([{ value: 0.9, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
    expect(row.scoredAt.getTime()).toBeGreaterThanOrEqual(new Date((row.history as { at: string }[])[0].at).getTime());
    await expectRollupsExact();
  });

  it("keeps every value of one score sent several times in one batch, the last one current and the others in order in its history", async () => {
    const e = event();
    await metrics([e]);
    const answer = await scores({
      events: [
        { requestId: e.requestId, scores: { groundedness: 0.1 } },
        { requestId: e.requestId, scores: { groundedness: 0.2, turns: 4 } },
        { requestId: e.requestId, scores: { groundedness: 0.3 } },
      ],
    });
    expect(answer.body).toEqual({ accepted: 4, replaced: 2 });
    expect(await scoresOf(e.requestId)).toEqual({ groundedness: { value: 0.3, history: [0.1, 0.2] }, turns: { value: 4, history: [] } });
    expect((await scores({ events: [{ requestId: e.requestId, scores: { groundedness: 0.5 } }, { requestId: e.requestId, scores: { groundedness: 0.6 } }] })).body).toEqual({ accepted: 2, replaced: 2 });
    expect((await scoresOf(e.requestId)).groundedness).toEqual({ value: 0.6, history: [0.1, 0.2, 0.3, 0.5] });
    await expectRollupsExact();
  });

  it("answers 404 naming every event whose outcome is not stored yet, stores nothing, and takes the same batch once it is", async () => {
    const stored = event();
    const pending = [event(), event()];
    await metrics([stored]);
    const before = await scoreState();
    const batch = { events: [{ requestId: stored.requestId, scores: { groundedness: 0.5 } }, ...pending.map((p) => ({ requestId: p.requestId, config: "chat", scores: { valid_json: true } }))] };
    const early = await scores(batch);
    expect(early.status).toBe(404);
    expect(early.body.error).toMatchObject({
      code: "not_found",
      message: expect.stringMatching(new RegExp(`^No outcome with request id "${pending[0].requestId}" \\(\`events\\.1\\.requestId\`\\) is stored in config \`chat\` \\(and 1 more event\\); nothing was stored`)),
      details: [
        { path: "events.1.requestId", message: "names no stored outcome (yet)" },
        { path: "events.2.requestId", message: "names no stored outcome (yet)" },
      ],
    });
    expect(await scoreState()).toEqual(before);
    await metrics(pending);
    expect((await scores(batch)).body).toEqual({ accepted: 3, replaced: 0 });
    await expectRollupsExact();
  });

  it("answers 409 for a request id reported for several configs unless the event names one", async () => {
    const shared = `shared-${++seq}`;
    await metrics([event({ requestId: shared }), event({ requestId: shared, config: "search", versionId: searchVersion })]);
    const ambiguous = await scores({ events: [{ requestId: shared, scores: { relevance: 7 } }] });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.message).toMatch(/`events\.0\.requestId`\) was reported for several configs \(`chat`, `search`\); send `config`/);
    expect(ambiguous.body.error.details).toEqual([{ path: "events.0.config", message: "is needed: the request id was reported for `chat`, `search`" }]);
    expect((await scores({ events: [{ requestId: shared, config: "search", scores: { relevance: 7 } }] })).body).toEqual({ accepted: 1, replaced: 0 });
    expect(await scoresOf(shared, "search")).toEqual({ relevance: { value: 7, history: [] } });
  });

  it("applies a key's config list: 403 naming an event of another config; without `config`, only its own configs are searched", async () => {
    const e = event({ config: "search", versionId: searchVersion });
    await metrics([e]);
    const { key: chatOnly } = await createApiKey(db.prisma, system, { name: "chat only", scopes: ["metrics"], configs: ["chat"] });
    await srv.api.store.reload();
    const forbidden = await scores({ events: [{ requestId: "x", config: "chat", scores: { groundedness: 1 } }, { requestId: e.requestId, config: "search", scores: { relevance: 1 } }] }, `Bearer ${chatOnly}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toMatchObject({ code: "forbidden", details: [{ path: "events.1.config" }], message: expect.stringMatching(/may not report scores for config `search`/) });
    const unseen = await scores({ events: [{ requestId: e.requestId, scores: { relevance: 1 } }] }, `Bearer ${chatOnly}`);
    expect(unseen.status).toBe(404);
    expect(await scoresOf(e.requestId, "search")).toEqual({});
  });

  it("takes a score defined after the server started: the definition reaches the snapshot through the change notification", async () => {
    const e = event();
    await metrics([e]);
    await createScore(db.prisma, system, "chat", { key: "escalated", label: "Escalated", kind: "boolean", direction: "lower_is_better" });
    await waitFor(async () => srv.api.store.current.configsByKey.get("chat")!.scores.has("escalated"));
    expect((await scores({ events: [{ requestId: e.requestId, scores: { escalated: true } }] })).body).toEqual({ accepted: 1, replaced: 0 });
    expect((await metrics([event({ scores: { escalated: false } })])).status).toBe(202);
  });
});

describe("bad scores", () => {
  it("refuses a batch with any bad score, naming the event index and the score key, and stores nothing", async () => {
    const reported = event();
    await metrics([reported]);
    const late = (scoresOfEvent: unknown, over: Record<string, unknown> = {}) => ({ requestId: reported.requestId, scores: scoresOfEvent, ...over });
    const tooMany = Object.fromEntries(Array.from({ length: MAX_SCORES_PER_EVENT + 1 }, (_, i) => [`s${i}`, 1]));
    const before = await scoreState();
    // [body of /api/metrics or /api/scores, expected details]
    const cases: ["metrics" | "scores", unknown[], { path: string; message: RegExp }[]][] = [
      ["metrics", [event({ scores: { groundedness: 0.5 } }), event({ scores: { groundedness: 1.4 } })], [{ path: "events.1.scores.groundedness", message: /^must be from 0 to 1; it was 1\.4$/ }]],
      ["metrics", [event({ scores: { relevance: 0.5 } })], [{ path: "events.0.scores.relevance", message: /^is not a score of config `chat` \(its scores are .*groundedness.*\)$/ }]],
      ["metrics", [event({ scores: { valid_json: 1 } })], [{ path: "events.0.scores.valid_json", message: /^must be true or false \(a boolean score\); it was 1$/ }]],
      ["metrics", [event({ scores: { turns: true } })], [{ path: "events.0.scores.turns", message: /^must be a number from 1 to 20 \(a numeric score\); it was true$/ }]],
      ["metrics", [event({ scores: { turns: 0 } }), event(), event({ scores: { groundedness: -1, valid_json: true } })], [
        { path: "events.0.scores.turns", message: /from 1 to 20; it was 0/ },
        { path: "events.2.scores.groundedness", message: /from 0 to 1; it was -1/ },
      ]],
      // Fields are checked before definitions: a malformed batch is refused for its shape alone.
      ["metrics", [event({ scores: { turns: 0 } }), event({ scores: { valid_json: "yes" } })], [{ path: "events.1.scores.valid_json", message: /^must be a number or true\/false, not a string$/ }]],
      ["metrics", [event({ scores: { Groundedness: 0.5 } })], [{ path: "events.0.scores.Groundedness", message: /^is not a score key: it must be 1-64 lower-case/ }]],
      ["metrics", [event({ scores: [0.5] })], [{ path: "events.0.scores", message: /^must be an object of score values/ }]],
      ["metrics", [event({ scores: tooMany })], [{ path: "events.0.scores", message: new RegExp(`at most ${MAX_SCORES_PER_EVENT} scores`) }]],
      ["metrics", [event({ config: "search", versionId: searchVersion, scores: { groundedness: 0.5 } })], [{ path: "events.0.scores.groundedness", message: /not a score of config `search` \(its scores are relevance\)/ }]],
      ["scores", [late({ groundedness: 2 })], [{ path: "events.0.scores.groundedness", message: /^must be from 0 to 1; it was 2$/ }]],
      ["scores", [late({ groundedness: 0.5 }), late({ valid_json: 0 }), late({ nope: 1 })], [
        { path: "events.1.scores.valid_json", message: /true or false/ },
        { path: "events.2.scores.nope", message: /not a score of config `chat`/ },
      ]],
      ["scores", [late({})], [{ path: "events.0.scores", message: /^must hold at least 1 score$/ }]],
      ["scores", [late({ groundedness: null })], [{ path: "events.0.scores.groundedness", message: /^must be a number or true\/false, not null$/ }]],
      ["scores", [late(tooMany)], [{ path: "events.0.scores", message: /at most 50 scores/ }]],
      ["scores", [late(undefined)], [{ path: "events.0.scores", message: /^is required$/ }]],
      ["scores", [late({ groundedness: 0.5 }, { rating: 4 })], [{ path: "events.0", message: /unknown field `rating`/ }]],
      ["scores", [late({ groundedness: 0.5 }, { requestId: "" })], [{ path: "events.0.requestId", message: /must not be empty/ }]],
      ["scores", [late({ groundedness: 0.5 }, { config: "nope" })], [{ path: "events.0.config", message: /names no config \(`nope`\)/ }]],
      // A bad score wins over a missing outcome: waiting would not make it succeed.
      ["scores", [late({ groundedness: 0.5 }, { requestId: "never-reported", config: "chat" }), late({ turns: 21 })], [{ path: "events.1.scores.turns", message: /from 1 to 20; it was 21/ }]],
      ["scores", [], [{ path: "events", message: /at least 1 event/ }]],
      ["scores", Array.from({ length: 1001 }, () => late({ groundedness: 0.5 })), [{ path: "events", message: /at most 1000 events/ }]],
    ];
    // All at once: refusals that may stem from a newer definition share one snapshot reload.
    const answers = await Promise.all(cases.map(([endpoint, events]) => (endpoint === "metrics" ? metrics(events) : scores({ events }))));
    for (const [n, [endpoint, events, details]] of cases.entries()) {
      const answer = answers[n];
      const what = `${endpoint} ${JSON.stringify(events).slice(0, 200)}`;
      expect(answer.status, what).toBe(400);
      expect(answer.body.error.details, what).toEqual(details.map((d) => ({ path: d.path, message: expect.stringMatching(d.message) })));
      expect(answer.body.error.message, what).toMatch(new RegExp(`^The \`${details[0].path.replace(/\./g, "\\.")}\` field`));
    }
    // A value beyond what a double holds arrives as Infinity.
    const infinite = await send(srv.baseUrl, "/api/scores", { auth: key, raw: JSON.stringify({ events: [late({ groundedness: "@" })] }).replace('"@"', "1e400") });
    expect(infinite.body.error.details).toEqual([{ path: "events.0.scores.groundedness", message: "must be a number or true/false, not an infinite number" }]);
    expect(await scoreState()).toEqual(before);
  });
});

describe("mixed traffic", () => {
  it("keeps the score rollups equal to a recomputation after outcomes with scores, late scores and replacements", async () => {
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 90_000).toISOString();
    const events = Array.from({ length: 300 }, (_, i) => event({ at, ...(i % 2 ? { scores: { groundedness: (i % 9) / 8 } } : {}) }));
    for (let offset = 0; offset < events.length; offset += 100) await metrics(events.slice(offset, offset + 100));
    const late = events.map((e, i) => ({ requestId: e.requestId, scores: { groundedness: (i % 5) / 4, valid_json: i % 3 === 0, ...(i % 7 === 0 ? { turns: 2 } : {}) } }));
    const answers = await Promise.all([scores({ events: late.slice(0, 150) }), scores({ events: late.slice(100) }), metrics(Array.from({ length: 100 }, () => event({ at, scores: { turns: 5 } })))]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    await expectRollupsExact();
  });
});
