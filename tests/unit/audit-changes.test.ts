import { describe, expect, it } from "vitest";
import { changeValueText, fieldChanges } from "@/lib/audit/changes";

// The audit log's field-by-field change list, from an event's before and after snapshots.

describe("fieldChanges", () => {
  it("lists a changed top-level field with both values", () => {
    expect(fieldChanges({ id: "ro_1", status: "running", revision: 3 }, { id: "ro_1", status: "rolled_back", revision: 4 })).toEqual([
      { kind: "changed", path: "status", before: "running", after: "rolled_back" },
      { kind: "changed", path: "revision", before: 3, after: 4 },
    ]);
  });

  it("names nested fields by their path, array items by index", () => {
    const before = { thresholds: { maxErrorRate: 0.05, scores: { groundedness: { min: 0.7 } } }, stages: [{ percent: 5 }, { percent: 100 }] };
    const after = { thresholds: { maxErrorRate: 0.1, scores: { groundedness: { min: 0.8 } } }, stages: [{ percent: 10 }, { percent: 100 }] };
    expect(fieldChanges(before, after)).toEqual([
      { kind: "changed", path: "thresholds.maxErrorRate", before: 0.05, after: 0.1 },
      { kind: "changed", path: "thresholds.scores.groundedness.min", before: 0.7, after: 0.8 },
      { kind: "changed", path: "stages[0].percent", before: 5, after: 10 },
    ]);
  });

  it("lists added and removed fields, at any depth", () => {
    expect(fieldChanges({ a: 1, gone: "x", n: { keep: 1, old: true } }, { a: 1, n: { keep: 1, fresh: null }, extra: [1] })).toEqual([
      { kind: "removed", path: "gone", before: "x" },
      { kind: "removed", path: "n.old", before: true },
      { kind: "added", path: "n.fresh", after: null },
      { kind: "added", path: "extra", after: [1] },
    ]);
  });

  it("treats an array whose length changed as one value, and null ↔ a value as a change", () => {
    expect(fieldChanges({ include: ["ana"], pausedAt: null }, { include: ["ana", "bo"], pausedAt: "2026-01-01T00:00:00.000Z" })).toEqual([
      { kind: "changed", path: "include", before: ["ana"], after: ["ana", "bo"] },
      { kind: "changed", path: "pausedAt", before: null, after: "2026-01-01T00:00:00.000Z" },
    ]);
  });

  it("lists nothing for equal snapshots, whatever their field order, and skips updatedAt", () => {
    expect(fieldChanges({ a: { x: 1, y: [1, { z: 2 }] }, updatedAt: "t1" }, { updatedAt: "t2", a: { y: [1, { z: 2 }], x: 1 } })).toEqual([]);
  });

  it("lists nothing when a snapshot is absent (a create or a delete)", () => {
    expect(fieldChanges(null, { key: "support-chat" })).toEqual([]);
    expect(fieldChanges({ key: "groundedness" }, null)).toEqual([]);
    expect(fieldChanges(undefined, undefined)).toEqual([]);
  });

  it("keeps secrets masked: a snapshot holding one unmasked is masked before comparing", () => {
    const before = { name: "ops", url: "https://hooks.slack.com/services/T/B/oldToken", secret: "old-signing-secret", nested: { apiKey: "k1" } };
    const after = { name: "ops-2", url: "https://hooks.example.com/services/T/B/newToken", secret: "new-signing-secret", nested: { apiKey: "k2" } };
    const changes = fieldChanges(before, after);
    expect(changes).toEqual([
      { kind: "changed", path: "name", before: "ops", after: "ops-2" },
      { kind: "changed", path: "url", before: "https://hooks.slack.com/***", after: "https://hooks.example.com/***" },
    ]);
    const text = JSON.stringify(changes);
    for (const secret of ["oldToken", "newToken", "old-signing-secret", "new-signing-secret", "k1", "k2"]) expect(text).not.toContain(secret);
  });

  it("lists an added secret field masked", () => {
    expect(fieldChanges({ name: "ops" }, { name: "ops", signingSecret: "s3cr3t" })).toEqual([{ kind: "added", path: "signingSecret", after: "***" }]);
  });
});

describe("changeValueText", () => {
  it("shows strings as they are, other values as compact JSON", () => {
    expect(changeValueText("rolled_back")).toBe("rolled_back");
    expect(changeValueText(0.05)).toBe("0.05");
    expect(changeValueText(null)).toBe("null");
    expect(changeValueText(true)).toBe("true");
    expect(changeValueText({ percent: 5 })).toBe('{"percent":5}');
    expect(changeValueText("")).toBe('""');
  });

  it("keeps a long value on one line and cuts it with an ellipsis", () => {
    expect(changeValueText("line one\n  line two")).toBe("line one ⏎ line two");
    const cut = changeValueText("x".repeat(200), 20);
    expect(cut).toBe(`${"x".repeat(19)}…`);
    expect([...changeValueText("😀".repeat(30), 10)]).toHaveLength(10);
  });
});
