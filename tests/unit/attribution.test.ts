import { describe, expect, it } from "vitest";
import { attributeEvents } from "@/lib/metrics/attribution";
import type { OutcomeEventInput } from "@/lib/metrics/schemas";
import { LlmSettings } from "@/lib/release/llm-settings";
import { prepareTemplate } from "@/lib/release/llm-template";
import type { ConfigEntry, Snapshot } from "@/lib/snapshot/snapshot";

const now = new Date("2026-11-26T12:00:00Z");
const llm = LlmSettings.parse({ model: "gpt-4o", messages: [{ role: "system", content: "Hi." }], temperature: 0.5, maxTokens: 64 });
const version = (id: string) => ({ id, label: id, llm, template: prepareTemplate({ messages: [], variables: [] }), llmJson: "{}" });
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
  canary: version("ver_b"),
  rollout: { id: "ro_1", baseVersionId: "ver_a", canaryVersionId: "ver_b", routing: { salt: "s", percent: 5, sticky: true, include: [], exclude: [] } },
  rollouts: [
    { id: "ro_1", baseVersionId: "ver_a", canaryVersionId: "ver_b", startedAt: Date.parse("2026-11-26T11:00:00Z"), endedAt: null },
    // An earlier attempt at the same change, rolled back at 10:30.
    { id: "ro_0", baseVersionId: "ver_a", canaryVersionId: "ver_b", startedAt: Date.parse("2026-11-26T10:00:00Z"), endedAt: Date.parse("2026-11-26T10:30:00Z") },
  ],
  scores: new Map([
    ["groundedness", { key: "groundedness", kind: "numeric", min: 0, max: 1 }],
    ["valid_json", { key: "valid_json", kind: "boolean", min: null, max: null }],
    ["turns", { key: "turns", kind: "numeric", min: 1, max: 50 }],
  ]),
};
const quiet: ConfigEntry = { id: "cfg_quiet", key: "quiet", revision: 1, createdAt: now, gateway, samplePolicy, stable: version("ver_q1"), canary: null, rollout: null, rollouts: [], scores: new Map() };
const snapshot: Snapshot = {
  configsByKey: new Map([["chat", chat], ["quiet", quiet]]),
  versions: new Map(
    [["ver_a", "cfg_chat", "gpt-4o"], ["ver_b", "cfg_chat", "gpt-4o-mini"], ["ver_old", "cfg_chat", "unpriced-model"], ["ver_q1", "cfg_quiet", "gpt-4o"], ["ver_q0", "cfg_quiet", "gpt-4o"]].map(
      ([id, configId, model]) => [id, { configId, model }],
    ),
  ),
  prices: new Map([
    ["gpt-4o", { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 }],
    ["gpt-4o-mini", { inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 }],
  ]),
  keysBySelector: new Map(),
  providers: new Map(),
  fingerprint: "x",
  loadedAt: now,
};
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
  it("splits a rollout's traffic into its canary and its stable control group", () => {
    const { rows } = attributeEvents(snapshot, [event({ requestId: "1", versionId: "ver_b" }), event({ requestId: "2", versionId: "ver_a" })], now, kept);
    expect(rows!.map((r) => [r.variant, r.rollout_id])).toEqual([["canary", "ro_1"], ["stable", "ro_1"]]);
    expect(rows![0]).toMatchObject({ config_id: "cfg_chat", latency_ms: 1200, latency_bucket: 82, at: now.toISOString() });
  });

  it("keeps versions outside the active rollout out of it, and names stable outside a rollout", () => {
    const { rows } = attributeEvents(
      snapshot,
      [event({ requestId: "1", versionId: "ver_old" }), event({ requestId: "2", config: "quiet", versionId: "ver_q1" }), event({ requestId: "3", config: "quiet", versionId: "ver_q0" })],
      now,
      kept,
    );
    expect(rows!.map((r) => [r.variant, r.rollout_id])).toEqual([["canary", null], ["stable", null], ["canary", null]]);
  });

  it("takes the rollout the route answer named, and otherwise the one running at the outcome's time", () => {
    const events = [
      event({ requestId: "named", versionId: "ver_b", rolloutId: "ro_0", at: "2026-11-26T11:59:00Z" }),
      event({ requestId: "none", versionId: "ver_a", rolloutId: null }),
      event({ requestId: "late", versionId: "ver_b", at: "2026-11-26T10:20:00Z" }),
      event({ requestId: "between", versionId: "ver_b", at: "2026-11-26T10:45:00Z" }),
      event({ requestId: "now", versionId: "ver_b" }),
    ];
    const { rows } = attributeEvents(snapshot, events, now, kept);
    expect(rows!.map((r) => [r.request_id, r.rollout_id, r.variant])).toEqual([
      ["named", "ro_0", "canary"],
      ["none", null, "stable"],
      ["late", "ro_0", "canary"],
      ["between", null, "canary"],
      ["now", "ro_1", "canary"],
    ]);
  });

  it("refuses a rollout id that is not the config's or does not serve the version", () => {
    const result = attributeEvents(snapshot, [event({ rolloutId: "ro_9" }), event({ requestId: "x", versionId: "ver_old", rolloutId: "ro_1" })], now, kept);
    expect(result.problems).toEqual([
      { path: "events.0.rolloutId", message: "names no rollout of config `chat` (ro_9)" },
      { path: "events.1.rolloutId", message: "names rollout ro_1, which does not serve version ver_old" },
    ]);
  });

  it("prices tokens by the version's model when the client sent no cost, and keeps a cost it sent", () => {
    const { rows } = attributeEvents(
      snapshot,
      [
        event({ requestId: "1", versionId: "ver_a", inputTokens: 1000, outputTokens: 500 }),
        event({ requestId: "2", versionId: "ver_b", inputTokens: 2_000_000, outputTokens: 1_000_000 }),
        event({ requestId: "3", versionId: "ver_a", inputTokens: 1000, outputTokens: 500, costUsd: 0.5 }),
        // No price for the model, or only one of the two counts: no cost rather than half of one.
        event({ requestId: "4", versionId: "ver_old", inputTokens: 1000, outputTokens: 500 }),
        event({ requestId: "5", versionId: "ver_a", outputTokens: 500 }),
        event({ requestId: "6", versionId: "ver_a" }),
      ],
      now,
      kept,
    );
    expect(rows!.map((r) => r.cost_usd)).toEqual([0.0075, 0.9, 0.5, null, null, null]);
  });

  it("counts a request id once per config within a batch", () => {
    const { rows } = attributeEvents(snapshot, [event({ requestId: "same" }), event({ requestId: "same", latencyMs: 5 }), event({ requestId: "same", config: "quiet", versionId: "ver_q1" })], now, kept);
    expect(rows!.map((r) => [r.config_id, r.latency_ms])).toEqual([["cfg_chat", 1200], ["cfg_quiet", 1200]]);
  });

  it("reports every unknown config, foreign version and implausible time by index and field", () => {
    const result = attributeEvents(
      snapshot,
      [
        event({ config: "nope" }),
        event({ versionId: "ver_q1" }),
        event({ at: "2026-11-26T12:06:00Z" }),
        event({ at: "2026-10-01T00:00:00Z" }),
        event({ at: "2026-11-26T12:04:00Z" }),
      ],
      now,
      kept,
    );
    expect(result.problems.map((p) => p.path)).toEqual(["events.0.config", "events.1.versionId", "events.2.at", "events.3.at"]);
    expect(result.rows).toBeNull();
  });

  it("refuses an event older than the outcomes are kept, naming its index, the field and the setting", () => {
    const week = { oldest: new Date(now.getTime() - 7 * 86_400_000), days: 7 };
    const events = [event({ requestId: "a", at: "2026-11-19T12:00:00Z" }), event({ requestId: "b", at: "2026-11-19T11:59:59.999Z" })];
    expect(attributeEvents(snapshot, events, now, week).problems).toEqual([
      { path: "events.1.at", message: "is more than 7 days in the past, older than this server keeps outcomes (LLM_CANARY_RETENTION_DAYS)" },
    ]);
    expect(attributeEvents(snapshot, events, now, kept).rows).toHaveLength(2);
  });

  it("keeps the samples an event carries as its config's sample policy says", () => {
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
    const samples = (s: Snapshot) => attributeEvents(s, events, now, kept).rows!.map((r) => [r.request_id, r.input, r.output]);
    expect(samples(withPolicy("all"))).toEqual([["ok", "q1", "a1"], ["failed", "q2", null], ["rated-2", "q3", "a3"], ["rated-3", "q4", "a4"]]);
    expect(samples(withPolicy("none")).every(([, input, output]) => input === null && output === null)).toBe(true);
    expect(samples(withPolicy("errors_and_low_ratings"))).toEqual([["ok", null, null], ["failed", "q2", null], ["rated-2", "q3", "a3"], ["rated-3", null, null]]);
    // A share: the request id decides, the same way every time.
    const many = Array.from({ length: 2000 }, (_, i) => event({ requestId: `req-${i}`, input: "q" }));
    const keptShare = attributeEvents(withPolicy("fraction", 0.1), many, now, kept).rows!.filter((r) => r.input !== null);
    expect(keptShare.length).toBeGreaterThan(150);
    expect(keptShare.length).toBeLessThan(250);
    expect(attributeEvents(withPolicy("fraction", 0.1), many, now, kept).rows!.filter((r) => r.input !== null)).toEqual(keptShare);
  });

  it("stores scores as numbers, booleans as 1 and 0, and a repeat's scores not at all", () => {
    const events = [
      event({ requestId: "a", scores: { groundedness: 0.8, valid_json: true, turns: 3 } }),
      event({ requestId: "b", scores: { valid_json: false } }),
      event({ requestId: "a", scores: { groundedness: 0.1 } }),
      event({ requestId: "c" }),
    ];
    const { rows } = attributeEvents(snapshot, events, now, kept);
    expect(rows!.map((r) => [r.request_id, r.scores])).toEqual([
      ["a", [["groundedness", 0.8], ["valid_json", 1], ["turns", 3]]],
      ["b", [["valid_json", 0]]],
      ["c", []],
    ]);
  });

  it("refuses unknown score keys, wrong kinds and values out of range, naming the event index and the key", () => {
    const result = attributeEvents(
      snapshot,
      [
        event({ requestId: "ok", scores: { groundedness: 1, turns: 50 } }),
        event({ requestId: "a", scores: { groundedness: 1.4, valid_json: 1, relevance: 0.5 } }),
        event({ requestId: "b", scores: { turns: true, groundedness: -0.01 } }),
        event({ requestId: "c", config: "quiet", versionId: "ver_q1", scores: { groundedness: 0.5 } }),
        event({ requestId: "ok", scores: { turns: 0 } }), // a repeat is checked too
      ],
      now,
      kept,
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
