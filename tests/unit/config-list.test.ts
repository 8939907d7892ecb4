import { describe, expect, it } from "vitest";
import { filterConfigs, secondsInStage, sortConfigs, type ConfigRow } from "@/lib/console/config-list";

const rows: ConfigRow[] = [
  { key: "support-chat", name: "Support chat", updatedAt: "2026-01-02T00:00:00Z", canaryPercent: 5, activeRollout: { status: "running", stageStartedAt: "2026-01-02T10:00:00Z", pausedAt: null } },
  { key: "doc-search", name: "Doc search", updatedAt: "2026-01-03T00:00:00Z", canaryPercent: 0, activeRollout: null },
  { key: "summarize", name: "Summaries", updatedAt: "2026-01-01T00:00:00Z", canaryPercent: 25, activeRollout: { status: "paused", stageStartedAt: "2026-01-01T10:00:00Z", pausedAt: "2026-01-01T10:05:00Z" } },
];
const keys = (list: ConfigRow[]) => list.map((r) => r.key);

describe("filterConfigs", () => {
  it("matches the key or the name, ignoring case", () => {
    expect(keys(filterConfigs(rows, "SUPPORT", "all"))).toEqual(["support-chat"]);
    expect(keys(filterConfigs(rows, "doc-", "all"))).toEqual(["doc-search"]);
  });
  it("filters by rollout state", () => {
    expect(keys(filterConfigs(rows, "", "active"))).toEqual(["support-chat", "summarize"]);
    expect(keys(filterConfigs(rows, "", "paused"))).toEqual(["summarize"]);
    expect(keys(filterConfigs(rows, "", "none"))).toEqual(["doc-search"]);
  });
});

describe("sortConfigs", () => {
  it("sorts by name, newest change, widest canary and longest in stage", () => {
    expect(keys(sortConfigs(rows, "name"))).toEqual(["doc-search", "summarize", "support-chat"]);
    expect(keys(sortConfigs(rows, "updated"))).toEqual(["doc-search", "support-chat", "summarize"]);
    expect(keys(sortConfigs(rows, "canary"))).toEqual(["summarize", "support-chat", "doc-search"]);
    expect(keys(sortConfigs(rows, "in-stage"))).toEqual(["summarize", "support-chat", "doc-search"]);
  });
  it("does not change its input", () => {
    const copy = [...rows];
    sortConfigs(rows, "canary");
    expect(rows).toEqual(copy);
  });
});

describe("secondsInStage", () => {
  it("counts to now while running and stands still while paused", () => {
    const now = Date.parse("2026-01-02T10:01:30Z");
    expect(secondsInStage(rows[0].activeRollout!, now)).toBe(90);
    expect(secondsInStage(rows[2].activeRollout!, now)).toBe(300);
  });
});
