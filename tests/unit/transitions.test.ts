import { describe, expect, it } from "vitest";
import { ROLLOUT_ACTIONS, ROLLOUT_STATUSES, servedPercent, transition, type RolloutAction, type RolloutStatus } from "@/lib/release/transitions";

const stages = [1, 5, 10, 25, 50, 100].map((percent) => ({ percent, minDurationSec: 0, minSamples: 0 }));

// The whole table: for each status and action, the resulting status, or null when refused.
const EXPECTED: Record<RolloutStatus, Record<RolloutAction, RolloutStatus | null>> = {
  running: { pause: "paused", resume: null, advance: "running", promote: "promoted", rollback: "rolled_back", abort: "aborted", revert: null },
  paused: { pause: null, resume: "running", advance: null, promote: "promoted", rollback: "rolled_back", abort: "aborted", revert: null },
  promoted: { pause: null, resume: null, advance: null, promote: null, rollback: null, abort: null, revert: "rolled_back" },
  rolled_back: { pause: null, resume: null, advance: null, promote: null, rollback: null, abort: null, revert: null },
  aborted: { pause: null, resume: null, advance: null, promote: null, rollback: null, abort: null, revert: null },
};

describe("rollout transitions", () => {
  for (const status of ROLLOUT_STATUSES) {
    for (const action of ROLLOUT_ACTIONS) {
      const expected = EXPECTED[status][action];
      it(`${action} from ${status} → ${expected ?? "refused"}`, () => {
        const result = transition({ status, currentStage: 2, stages }, action);
        if (expected === null) {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.reason).toMatch(/\w+.*\./);
        } else {
          expect(result).toMatchObject({ ok: true, next: { status: expected } });
        }
      });
    }
  }

  it("advance moves one stage up and serves its percentage", () => {
    const result = transition({ status: "running", currentStage: 2, stages }, "advance");
    expect(result).toMatchObject({ ok: true, next: { currentStage: 3 }, percent: 25, ended: false });
  });

  it("advance refuses at the last stage and says to promote", () => {
    const result = transition({ status: "running", currentStage: 5, stages }, "advance");
    expect(result).toEqual({ ok: false, reason: "The rollout is at its last stage (100%); promote it instead." });
  });

  it("pause holds the percentage; ending actions serve 0%", () => {
    expect(transition({ status: "running", currentStage: 1, stages }, "pause")).toMatchObject({ percent: 5, ended: false });
    for (const action of ["promote", "rollback", "abort"] as const) {
      expect(transition({ status: "running", currentStage: 1, stages }, action)).toMatchObject({ percent: 0, ended: true });
    }
  });

  it("says why a refused action was refused", () => {
    expect(transition({ status: "paused", currentStage: 0, stages }, "advance")).toEqual({
      ok: false,
      reason: "The rollout is paused; resume it before advancing.",
    });
    expect(transition({ status: "promoted", currentStage: 5, stages }, "rollback")).toEqual({
      ok: false,
      reason: "The rollout was promoted; revert the promotion instead.",
    });
    expect(transition({ status: "rolled_back", currentStage: 0, stages }, "promote")).toEqual({
      ok: false,
      reason: "The rollout has already ended (rolled back).",
    });
  });

  it("serves the current stage's percentage only while active", () => {
    expect(servedPercent({ status: "running", currentStage: 3, stages })).toBe(25);
    expect(servedPercent({ status: "paused", currentStage: 3, stages })).toBe(25);
    expect(servedPercent({ status: "aborted", currentStage: 3, stages })).toBe(0);
  });
});
