import { describe, expect, it } from "vitest";
import { filterConfigs, lastOutcome, secondsInStage, sortConfigs, type ConfigRow } from "@/lib/console/config-list";

const NOW = Date.parse("2026-01-03T12:00:00Z");
const rolledBack = (endedAt: string) => ({ status: "rolled_back", endedAt });
const rows: ConfigRow[] = [
  // Rolled back yesterday, then a new canary started: the rollback is no longer what the row shows.
  { key: "support-chat", name: "Support chat", updatedAt: "2026-01-02T00:00:00Z", canaryPercent: 5, activeRollout: { status: "running", stageStartedAt: "2026-01-02T10:00:00Z", pausedAt: null }, lastEndedRollout: rolledBack("2026-01-03T09:00:00Z") },
  { key: "doc-search", name: "Doc search", updatedAt: "2026-01-03T00:00:00Z", canaryPercent: 0, activeRollout: null, lastEndedRollout: rolledBack("2026-01-03T11:30:00Z") },
  { key: "summarize", name: "Summaries", updatedAt: "2026-01-01T00:00:00Z", canaryPercent: 25, activeRollout: { status: "paused", stageStartedAt: "2026-01-01T10:00:00Z", pausedAt: "2026-01-01T10:05:00Z" }, lastEndedRollout: null },
  { key: "translate", name: "Translate", updatedAt: "2026-01-01T00:00:00Z", canaryPercent: 0, activeRollout: null, lastEndedRollout: rolledBack("2026-01-02T11:59:00Z") },
  { key: "classify", name: "Classify", updatedAt: "2026-01-01T00:00:00Z", canaryPercent: 0, activeRollout: null, lastEndedRollout: { status: "promoted", endedAt: "2026-01-03T11:00:00Z" } },
];
const keys = (list: ConfigRow[]) => list.map((r) => r.key);

describe("filterConfigs", () => {
  it("matches the key or the name, ignoring case", () => {
    expect(keys(filterConfigs(rows, "SUPPORT", "all", NOW))).toEqual(["support-chat"]);
    expect(keys(filterConfigs(rows, "doc-", "all", NOW))).toEqual(["doc-search"]);
  });
  it("filters by rollout state", () => {
    expect(keys(filterConfigs(rows, "", "active", NOW))).toEqual(["support-chat", "summarize"]);
    expect(keys(filterConfigs(rows, "", "paused", NOW))).toEqual(["summarize"]);
    expect(keys(filterConfigs(rows, "", "none", NOW))).toEqual(["doc-search", "translate", "classify"]);
  });
  it("finds configs rolled back in the last 24 hours and not rolled out again since", () => {
    expect(keys(filterConfigs(rows, "", "recently-rolled-back", NOW))).toEqual(["doc-search"]);
    // At 12:00, 24 hours and a minute after translate's rollback, it no longer counts; at 11:59 it does.
    expect(keys(filterConfigs(rows, "", "recently-rolled-back", Date.parse("2026-01-03T11:59:00Z")))).toEqual(["doc-search", "translate"]);
    expect(keys(filterConfigs(rows, "trans", "recently-rolled-back", Date.parse("2026-01-03T11:59:00Z")))).toEqual(["translate"]);
  });
});

describe("lastOutcome", () => {
  it("is the last ended rollout until another one is active", () => {
    expect(lastOutcome(rows[1])).toEqual(rolledBack("2026-01-03T11:30:00Z"));
    expect(lastOutcome(rows[0])).toBeNull();
    expect(lastOutcome(rows[2])).toBeNull();
  });
});

describe("sortConfigs", () => {
  const three = rows.slice(0, 3);
  it("sorts by name, newest change, widest canary and longest in stage", () => {
    expect(keys(sortConfigs(three, "name"))).toEqual(["doc-search", "summarize", "support-chat"]);
    expect(keys(sortConfigs(three, "updated"))).toEqual(["doc-search", "support-chat", "summarize"]);
    expect(keys(sortConfigs(three, "canary"))).toEqual(["summarize", "support-chat", "doc-search"]);
    expect(keys(sortConfigs(three, "in-stage"))).toEqual(["summarize", "support-chat", "doc-search"]);
  });
  it("does not change its input", () => {
    const copy = [...three];
    sortConfigs(three, "canary");
    expect(three).toEqual(copy);
  });
});

describe("secondsInStage", () => {
  it("counts to now while running and stands still while paused", () => {
    const now = Date.parse("2026-01-02T10:01:30Z");
    expect(secondsInStage(rows[0].activeRollout!, now)).toBe(90);
    expect(secondsInStage(rows[2].activeRollout!, now)).toBe(300);
  });
});
