import { describe, expect, it } from "vitest";
import type { WireEvent } from "@/lib/sdk/outcome-event";
import { splitRefusal } from "@/lib/sdk/batch-delivery";
import { CanaryError, type ErrorDetail } from "@/lib/sdk/transport";

// A 400 from POST /api/metrics (or /api/scores): which events it refused, and what is sent again;
// a 404 from /api/scores: which late scores wait for their outcome.

const events: WireEvent[] = Array.from({ length: 5 }, (_, i) => ({ requestId: `r${i}`, config: "chat", versionId: "ver_1", isError: false, latencyMs: i }));
const refusal = (details: ErrorDetail[], status = 400) => new CanaryError("invalid_request", "The batch was refused.", { status, details, requestId: "req_srv" });

describe("splitRefusal", () => {
  it("drops the events the details name and keeps the rest in order, the details re-indexed into the error's events", () => {
    const error = refusal([
      { path: "events.3.versionId", message: "names no version of config `chat` (ver_x)" },
      { path: "events.1.at", message: "is more than 30 days in the past" },
      { path: "events.3.rolloutId", message: "names no rollout" },
    ]);
    const split = splitRefusal(error, events)!;
    expect(split.rest.map((e) => e.requestId)).toEqual(["r0", "r2", "r4"]);
    expect(split.error).toMatchObject({ code: "invalid_request", status: 400, requestId: "req_srv", cause: error });
    expect(split.refused.map((e) => e.requestId)).toEqual(["r1", "r3"]);
    expect(split.notYet).toBe(false);
    expect(split.error.details).toEqual([
      { path: "events.0.at", message: "is more than 30 days in the past" },
      { path: "events.1.versionId", message: "names no version of config `chat` (ver_x)" },
      { path: "events.1.rolloutId", message: "names no rollout" },
    ]);
    expect(split.error.message).toMatch(/^2 outcome\(s\) refused by the server and dropped: `events\.0\.at` is more .* \(and 2 more problems\)\. The other 3 of the batch are sent again\.$/);
  });

  it("splits a 403 naming events of configs the key is not limited to, as it splits a 400", () => {
    const error = refusal([{ path: "events.2.config", message: "names a config this key may not use (`other`)" }], 403);
    const split = splitRefusal(error, events)!;
    expect(split.rest.map((e) => e.requestId)).toEqual(["r0", "r1", "r3", "r4"]);
    expect(split.error).toMatchObject({ status: 403, details: [{ path: "events.0.config", message: "names a config this key may not use (`other`)" }] });
  });

  it("leaves nothing to resend when every event was refused", () => {
    const split = splitRefusal(refusal([{ path: "events.0", message: "x" }, { path: "events.1.config", message: "x" }]), events.slice(0, 2))!;
    expect(split.rest).toEqual([]);
    expect(split.error.message).not.toMatch(/sent again/);
  });

  it.each([
    ["no details", [], 400],
    ["a detail about the batch", [{ path: "events", message: "must hold at most 1000 events" }, { path: "events.0.at", message: "x" }], 400],
    ["the body", [{ path: "(root)", message: "x" }], 400],
    ["an index outside the batch", [{ path: "events.5.at", message: "x" }], 400],
    ["a lookalike path", [{ path: "events.1x.at", message: "x" }], 400],
    ["another status", [{ path: "events.0.at", message: "x" }], 422],
    ["a 404 where it means never (outcomes)", [{ path: "events.0.requestId", message: "x" }], 404],
    ["a 403 about the key, not its events", [], 403],
  ])("is null (the whole batch is refused) for %s", (_, details, status) => {
    expect(splitRefusal(refusal(details, status), events)).toBeNull();
  });
});

describe("splitRefusal of late scores", () => {
  it("keeps the late scores a 404 names for later and sends the rest", () => {
    const error = new CanaryError("not_found", "No outcome.", { status: 404, details: [{ path: "events.2.requestId", message: "names no stored outcome (yet)" }] });
    const split = splitRefusal(error, events, "late score(s)", true)!;
    expect([split.notYet, split.refused.map((e) => e.requestId), split.rest.map((e) => e.requestId)]).toEqual([true, ["r2"], ["r0", "r1", "r3", "r4"]]);
    expect(split.error.message).toMatch(/^1 late score\(s\) not stored yet on the server, kept to be sent again later: `events\.0\.requestId` names no stored outcome \(yet\)\. The other 4/);
  });

  it("drops the events a 409 names (a request id that needs its config)", () => {
    const error = new CanaryError("conflict", "Ambiguous.", { status: 409, details: [{ path: "events.1.config", message: "is needed" }] });
    const split = splitRefusal(error, events, "late score(s)", true)!;
    expect([split.notYet, split.refused.map((e) => e.requestId)]).toEqual([false, ["r1"]]);
  });
});
