import { describe, expect, it } from "vitest";
import { attributeEvents } from "@/lib/metrics/attribution";
import type { OutcomeEventInput } from "@/lib/metrics/schemas";
import { LlmSettings } from "@/lib/release/llm-settings";
import { prepareTemplate } from "@/lib/release/llm-template";
import { rolloutAtKey, type Past, type PastQuestions, type PastRollout, type PastSource, type VersionRef } from "@/lib/snapshot/past";
import type { ConfigEntry, Snapshot } from "@/lib/snapshot/snapshot";

const now = new Date("2026-11-26T12:00:00Z");
const llm = LlmSettings.parse({ model: "gpt-4o", messages: [{ role: "system", content: "Hi." }], temperature: 0.5, maxTokens: 64 });
const version = (id: string, model = "gpt-4o") => ({ id, label: id, llm: { ...llm, model }, template: prepareTemplate({ messages: [], variables: [] }), llmJson: "{}" });
const gateway = { clientOverrides: false };
const samplePolicy = { keep: "all" as const, fraction: null };
/** Outcomes kept 30 days. */
const kept = { oldest: new Date(now.getTime() - 30 * 86_400_000), days: 30 };
const chat: ConfigEntry = {
  id: "cfg_chat",
  key: "chat",
  revision: 3,
  createdAt: now,
  gateway,
  samplePolicy,
  stable: version("ver_a"),
  canary: version("ver_b", "gpt-4o-mini"),
  rollout: { id: "ro_1", baseVersionId: "ver_a", canaryVersionId: "ver_b", routing: { salt: "s", percent: 5, sticky: true, include: [], exclude: [] } },
  rollouts: [
    { id: "ro_1", baseVersionId: "ver_a", canaryVersionId: "ver_b", startedAt: Date.parse("2026-11-26T11:00:00Z"), endedAt: null },
    // An earlier attempt at the same change, rolled back at 10:30.
    { id: "ro_0", baseVersionId: "ver_a", canaryVersionId: "ver_b", startedAt: Date.parse("2026-11-26T10:00:00Z"), endedAt: Date.parse("2026-11-26T10:30:00Z") },
  ],
  olderRolloutsEndedAt: null,
  scores: new Map([
    ["groundedness", { key: "groundedness", kind: "numeric", min: 0, max: 1 }],
    ["valid_json", { key: "valid_json", kind: "boolean", min: null, max: null }],
    ["turns", { key: "turns", kind: "numeric", min: 1, max: 50 }],
  ]),
};
const quiet: ConfigEntry = {
  id: "cfg_quiet", key: "quiet", revision: 1, createdAt: now, gateway, samplePolicy, stable: version("ver_q1"), canary: null, rollout: null, rollouts: [], olderRolloutsEndedAt: null, scores: new Map(),
};

/** The history beyond the snapshot, as the database would answer it (a fake of lib/snapshot/past.ts). */
const older = {
  versions: new Map<string, VersionRef>([["ver_old", { configId: "cfg_chat", model: "unpriced-model" }], ["ver_q0", { configId: "cfg_quiet", model: "gpt-4o" }]]),
  rollouts: [] as PastRollout[],
};
/** Answers exactly what was asked, as lib/snapshot/past.ts does (plus what it had cached, here nothing). */
const answersTo = (q: PastQuestions): Past => ({
  version: (id) => (q.versionIds.has(id) ? (older.versions.get(id) ?? null) : null),
  rollout: (id) => (q.rolloutIds.has(id) ? (older.rollouts.find((r) => r.id === id) ?? null) : null),
  rolloutAt: (configId, versionId, at) =>
    q.rolloutsAt.has(rolloutAtKey(configId, versionId, at))
      ? (older.rollouts.find((r) => r.configId === configId && (r.baseVersionId === versionId || r.canaryVersionId === versionId) && at >= r.startedAt && (r.endedAt === null || at <= r.endedAt)) ?? null)
      : null,
});
/** Knows nothing until asked: every round of questions is kept. */
const asked: PastQuestions[] = [];
const past: PastSource = { version: () => undefined, rollout: () => undefined, rolloutAt: () => undefined, answer: async (q) => (asked.push(q), answersTo(q)) };

const snapshot: Snapshot = {
  configsByKey: new Map([["chat", chat], ["quiet", quiet]]),
  configsById: new Map([["cfg_chat", chat], ["cfg_quiet", quiet]]),
  prices: new Map([
    ["gpt-4o", { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 }],
    ["gpt-4o-mini", { inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 }],
  ]),
  keysBySelector: new Map(),
  providers: new Map(),
  past,
  loadedAt: now,
};
/** Attribution as ingest runs it: ask what the snapshot does not hold, then again with the answers. */
async function attribute(events: OutcomeEventInput[], on = snapshot, keptFor = kept) {
  const first = attributeEvents(on, events, now, keptFor);
  return first.questions ? attributeEvents(on, events, now, keptFor, await on.past.answer(first.questions)) : first;
}
const event = (over: Partial<OutcomeEventInput>): OutcomeEventInput => ({
  requestId: "r",
  config: "chat",
  versionId: "ver_a",
  isError: false,
  latencyMs: 1200.4,
  input: null,
  output: null,
  ...over,
});

describe("attributing outcomes to a rollout and variant", () => {
  it("splits a rollout's traffic into its canary and its stable control group", async () => {
    const { rows } = await attribute([event({ requestId: "1", versionId: "ver_b" }), event({ requestId: "2", versionId: "ver_a" })]);
    expect(rows!.map((r) => [r.variant, r.rollout_id])).toEqual([["canary", "ro_1"], ["stable", "ro_1"]]);
    expect(rows![0]).toMatchObject({ config_id: "cfg_chat", latency_ms: 1200, latency_bucket: 82, at: now.toISOString() });
  });

  it("keeps versions outside the active rollout out of it, and names stable outside a rollout", async () => {
    const { rows } = await attribute(
      [event({ requestId: "1", versionId: "ver_old" }), event({ requestId: "2", config: "quiet", versionId: "ver_q1" }), event({ requestId: "3", config: "quiet", versionId: "ver_q0" })],
    );
    expect(rows!.map((r) => [r.variant, r.rollout_id])).toEqual([["canary", null], ["stable", null], ["canary", null]]);
  });

  it("takes the rollout the route answer named, and otherwise the one running at the outcome's time", async () => {
    const events = [
      event({ requestId: "named", versionId: "ver_b", rolloutId: "ro_0", at: "2026-11-26T11:59:00Z" }),
      event({ requestId: "none", versionId: "ver_a", rolloutId: null }),
      event({ requestId: "late", versionId: "ver_b", at: "2026-11-26T10:20:00Z" }),
      event({ requestId: "between", versionId: "ver_b", at: "2026-11-26T10:45:00Z" }),
      event({ requestId: "now", versionId: "ver_b" }),
    ];
    const { rows } = await attribute(events);
    expect(rows!.map((r) => [r.request_id, r.rollout_id, r.variant])).toEqual([
      ["named", "ro_0", "canary"],
      ["none", null, "stable"],
      ["late", "ro_0", "canary"],
      ["between", null, "canary"],
      ["now", "ro_1", "canary"],
    ]);
  });

  it("refuses a rollout id that is not the config's or does not serve the version", async () => {
    const result = await attribute([event({ rolloutId: "ro_9" }), event({ requestId: "x", versionId: "ver_old", rolloutId: "ro_1" })]);
    expect(result.problems).toEqual([
      { path: "events.0.rolloutId", message: "names no rollout of config `chat` (ro_9)" },
      { path: "events.1.rolloutId", message: "names rollout ro_1, which does not serve version ver_old" },
    ]);
  });

  it("prices tokens by the version's model when the client sent no cost, and keeps a cost it sent", async () => {
    const { rows } = await attribute(
      [
        event({ requestId: "1", versionId: "ver_a", inputTokens: 1000, outputTokens: 500 }),
        event({ requestId: "2", versionId: "ver_b", inputTokens: 2_000_000, outputTokens: 1_000_000 }),
        event({ requestId: "3", versionId: "ver_a", inputTokens: 1000, outputTokens: 500, costUsd: 0.5 }),
        // No price for the model, or only one of the two counts: no cost rather than half of one.
        event({ requestId: "4", versionId: "ver_old", inputTokens: 1000, outputTokens: 500 }),
        event({ requestId: "5", versionId: "ver_a", outputTokens: 500 }),
        event({ requestId: "6", versionId: "ver_a" }),
      ],
    );
    expect(rows!.map((r) => r.cost_usd)).toEqual([0.0075, 0.9, 0.5, null, null, null]);
  });

  it("counts a request id once per config within a batch", async () => {
    const { rows } = await attribute([event({ requestId: "same" }), event({ requestId: "same", latencyMs: 5 }), event({ requestId: "same", config: "quiet", versionId: "ver_q1" })]);
    expect(rows!.map((r) => [r.config_id, r.latency_ms])).toEqual([["cfg_chat", 1200], ["cfg_quiet", 1200]]);
  });

  it("reports every unknown config, foreign version and implausible time by index and field", async () => {
    const result = await attribute(
      [
        event({ config: "nope" }),
        event({ versionId: "ver_q1" }),
        event({ at: "2026-11-26T12:06:00Z" }),
        event({ at: "2026-10-01T00:00:00Z" }),
        event({ at: "2026-11-26T12:04:00Z" }),
      ],
    );
    expect(result.problems.map((p) => p.path)).toEqual(["events.0.config", "events.1.versionId", "events.2.at", "events.3.at"]);
    expect(result.rows).toBeNull();
  });

  it("refuses an event older than the outcomes are kept, naming its index, the field and the setting", async () => {
    const week = { oldest: new Date(now.getTime() - 7 * 86_400_000), days: 7 };
    const events = [event({ requestId: "a", at: "2026-11-19T12:00:00Z" }), event({ requestId: "b", at: "2026-11-19T11:59:59.999Z" })];
    expect((await attribute(events, snapshot, week)).problems).toEqual([
      { path: "events.1.at", message: "is more than 7 days in the past, older than this server keeps outcomes (LLM_CANARY_RETENTION_DAYS)" },
    ]);
    expect((await attribute(events)).rows).toHaveLength(2);
  });

  it("keeps the samples an event carries as its config's sample policy says", async () => {
    const withPolicy = (keep: "all" | "fraction" | "errors_and_low_ratings" | "none", fraction: number | null = null): Snapshot => ({
      ...snapshot,
      configsByKey: new Map([["chat", { ...chat, samplePolicy: { keep, fraction } }]]),
    });
    const events = [
      event({ requestId: "ok", input: "q1", output: "a1" }),
      event({ requestId: "failed", isError: true, input: "q2", output: null }),
      event({ requestId: "rated-2", rating: 2, input: "q3", output: "a3" }),
      event({ requestId: "rated-3", rating: 3, input: "q4", output: "a4" }),
    ];
    const samples = async (s: Snapshot) => (await attribute(events, s)).rows!.map((r) => [r.request_id, r.input, r.output]);
    expect(await samples(withPolicy("all"))).toEqual([["ok", "q1", "a1"], ["failed", "q2", null], ["rated-2", "q3", "a3"], ["rated-3", "q4", "a4"]]);
    expect((await samples(withPolicy("none"))).every(([, input, output]) => input === null && output === null)).toBe(true);
    expect(await samples(withPolicy("errors_and_low_ratings"))).toEqual([["ok", null, null], ["failed", "q2", null], ["rated-2", "q3", "a3"], ["rated-3", null, null]]);
    // A share: the request id decides, the same way every time.
    const many = Array.from({ length: 2000 }, (_, i) => event({ requestId: `req-${i}`, input: "q" }));
    const keptShare = (await attribute(many, withPolicy("fraction", 0.1))).rows!.filter((r) => r.input !== null);
    expect(keptShare.length).toBeGreaterThan(150);
    expect(keptShare.length).toBeLessThan(250);
    expect((await attribute(many, withPolicy("fraction", 0.1))).rows!.filter((r) => r.input !== null)).toEqual(keptShare);
  });

  it("stores scores as numbers, booleans as 1 and 0, and a repeat's scores not at all", async () => {
    const events = [
      event({ requestId: "a", scores: { groundedness: 0.8, valid_json: true, turns: 3 } }),
      event({ requestId: "b", scores: { valid_json: false } }),
      event({ requestId: "a", scores: { groundedness: 0.1 } }),
      event({ requestId: "c" }),
    ];
    const { rows } = await attribute(events);
    expect(rows!.map((r) => [r.request_id, r.scores])).toEqual([
      ["a", [["groundedness", 0.8], ["valid_json", 1], ["turns", 3]]],
      ["b", [["valid_json", 0]]],
      ["c", []],
    ]);
  });

  it("refuses unknown score keys, wrong kinds and values out of range, naming the event index and the key", async () => {
    const result = await attribute(
      [
        event({ requestId: "ok", scores: { groundedness: 1, turns: 50 } }),
        event({ requestId: "a", scores: { groundedness: 1.4, valid_json: 1, relevance: 0.5 } }),
        event({ requestId: "b", scores: { turns: true, groundedness: -0.01 } }),
        event({ requestId: "c", config: "quiet", versionId: "ver_q1", scores: { groundedness: 0.5 } }),
        event({ requestId: "ok", scores: { turns: 0 } }), // a repeat is checked too
      ],
    );
    expect(result.rows).toBeNull();
    expect(result.problems).toEqual([
      { path: "events.1.scores.groundedness", message: "must be from 0 to 1; it was 1.4" },
      { path: "events.1.scores.valid_json", message: "must be true or false (a boolean score); it was 1" },
      { path: "events.1.scores.relevance", message: "is not a score of config `chat` (its scores are groundedness, turns, valid_json)" },
      { path: "events.2.scores.turns", message: "must be a number from 1 to 50 (a numeric score); it was true" },
      { path: "events.2.scores.groundedness", message: "must be from 0 to 1; it was -0.01" },
      { path: "events.3.scores.groundedness", message: "is not a score of config `quiet` (it defines none)" },
      { path: "events.4.scores.turns", message: "must be from 1 to 50; it was 0" },
    ]);
  });
});

describe("attributing late outcomes beyond the snapshot's latest rollouts", () => {
  // A config whose snapshot keeps one rollout (ro_5, ended at 09:00): older ones ended by 08:00.
  const at = (time: string) => Date.parse(`2026-11-26T${time}:00Z`);
  const long: ConfigEntry = {
    ...quiet,
    id: "cfg_long",
    key: "long",
    stable: version("ver_l3"),
    rollouts: [{ id: "ro_5", baseVersionId: "ver_l2", canaryVersionId: "ver_l3", startedAt: at("08:30"), endedAt: at("09:00") }],
    olderRolloutsEndedAt: at("08:00"),
  };
  const withLong: Snapshot = { ...snapshot, configsByKey: new Map([...snapshot.configsByKey, ["long", long]]) };
  older.versions.set("ver_l1", { configId: "cfg_long", model: "gpt-4o" }).set("ver_l2", { configId: "cfg_long", model: "gpt-4o" });
  older.rollouts.push(
    { id: "ro_4", configId: "cfg_long", baseVersionId: "ver_l1", canaryVersionId: "ver_l2", startedAt: at("07:00"), endedAt: at("08:00") },
    { id: "ro_other", configId: "cfg_chat", baseVersionId: "ver_a", canaryVersionId: "ver_b", startedAt: at("06:00"), endedAt: at("06:30") },
  );
  const ev = (over: Partial<OutcomeEventInput>) => event({ config: "long", ...over });

  it("answers outcomes after the older rollouts ended from the snapshot, asking nothing", async () => {
    asked.length = 0;
    const { rows } = await attribute([ev({ requestId: "1", versionId: "ver_l3", at: "2026-11-26T08:45:00Z" }), ev({ requestId: "2", versionId: "ver_l3", at: "2026-11-26T08:10:00Z" })], withLong);
    expect(rows!.map((r) => r.rollout_id)).toEqual(["ro_5", null]);
    expect(asked).toEqual([]);
  });

  it("looks up the version, the rollout named and the rollout running at an earlier time, in one round of questions", async () => {
    asked.length = 0;
    const { rows } = await attribute(
      [
        ev({ requestId: "1", versionId: "ver_l2", at: "2026-11-26T07:30:00Z" }),
        ev({ requestId: "2", versionId: "ver_l1", rolloutId: "ro_4", at: "2026-11-26T07:40:00Z" }),
        ev({ requestId: "3", versionId: "ver_l1", at: "2026-11-26T06:00:00Z" }),
      ],
      withLong,
    );
    expect(rows!.map((r) => [r.request_id, r.rollout_id, r.variant])).toEqual([["1", "ro_4", "canary"], ["2", "ro_4", "stable"], ["3", null, "canary"]]);
    expect(asked).toHaveLength(1);
    expect([...asked[0].versionIds].sort()).toEqual(["ver_l1", "ver_l2"]);
  });

  it("refuses an older rollout of another config, or one that does not serve the version", async () => {
    const result = await attribute([ev({ versionId: "ver_l1", rolloutId: "ro_other" }), ev({ requestId: "x", versionId: "ver_l3", rolloutId: "ro_4" })], withLong);
    expect(result.problems).toEqual([
      { path: "events.0.rolloutId", message: "names no rollout of config `long` (ro_other)" },
      { path: "events.1.rolloutId", message: "names rollout ro_4, which does not serve version ver_l3" },
    ]);
  });
});
