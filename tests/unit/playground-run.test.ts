import { describe, expect, it } from "vitest";
import { applyEvent, costText, durationText, startingRun, type ColumnResultWire } from "@/lib/query/playground-run";

// The playground page's view of a run as its events arrive.

const result = (fields: Partial<ColumnResultWire> = {}): ColumnResultWire => ({
  position: 0, versionId: "ver_1", basedOnVersionId: null, versionLabel: "v1", model: "m", providerId: "prv_1", providerName: "local", settings: null,
  content: "Hello there", toolCalls: [], finishReason: "stop", inputTokens: 3, outputTokens: 2, costUsd: 0.0000051, latencyMs: 1234, ttftMs: 80, error: null, ...fields,
});

describe("a live run", () => {
  it("adds each column's pieces, then takes the stored result", () => {
    let run = startingRun(2);
    run = applyEvent(run, { type: "start", runId: "pgr_1", startedAt: "2026-12-08T00:00:00.000Z", columns: [] });
    run = applyEvent(run, { type: "delta", column: 1, content: "Hel" });
    run = applyEvent(run, { type: "delta", column: 1, toolCalls: [{ index: 0, id: "call_1", name: "look", arguments: '{"a"' }] });
    run = applyEvent(run, { type: "delta", column: 1, content: "lo", toolCalls: [{ index: 0, arguments: ":1}" }] });
    expect(run.columns[0]).toEqual({ content: "", toolCalls: [], result: null });
    expect(run.columns[1]).toEqual({ content: "Hello", toolCalls: [{ id: "call_1", name: "look", arguments: '{"a":1}' }], result: null });
    run = applyEvent(run, { type: "done", column: 1, result: result({ position: 1 }) });
    expect(run.columns[1]).toMatchObject({ content: "Hello there", result: { latencyMs: 1234 } });
    expect(applyEvent(run, { type: "failed", error: { code: "internal", message: "Stored nothing.", requestId: "req_1" } }).failure).toBe("Stored nothing.");
  });

  it("writes timings and costs as the rollout pages do", () => {
    expect([durationText(40), durationText(840), durationText(1234), durationText(null)]).toEqual(["40 ms", "840 ms", "1.23 s", "—"]);
    expect([costText(0.0000051), costText(null)]).toEqual(["$0.00000510", "no price"]);
  });
});
