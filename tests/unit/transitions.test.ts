import { describe, expect, it } from "vitest";
import { ROLLOUT_ACTIONS, ROLLOUT_STATUSES, servedPercent, transition, type RolloutAction, type RolloutStatus } from "@/lib/release/transitions";

const stages = [1, 5, 10, 25, 50, 100].map((percent) => ({ percent, minDurationSec: 0, minSamples: 0 }));

// The whole table: for each status and action, the resulting status, or the sentence that refuses it.
const ended = (as: string) => ({ refused: `The rollout has already ended (${as}).` });
const ALREADY_RUNNING = { refused: "The rollout is already running." };
const ALREADY_PAUSED = { refused: "The rollout is already paused." };
const RESUME_FIRST = { refused: "The rollout is paused; resume it before advancing." };
const ONLY_PROMOTED = { refused: "Only a promoted rollout can be reverted; roll back an active one." };
const REVERT_INSTEAD = { refused: "The rollout was promoted; revert the promotion instead." };
const refusedAll = (refusal: { refused: string }) =>
  Object.fromEntries(ROLLOUT_ACTIONS.map((action) => [action, refusal])) as Record<RolloutAction, { refused: string }>;
const EXPECTED: Record<RolloutStatus, Record<RolloutAction, RolloutStatus | { refused: string }>> = {
  running: {
    pause: "paused",
    resume: ALREADY_RUNNING,
    advance: "running",
    promote: "promoted",
    rollback: "rolled_back",
    abort: "aborted",
    revert: ONLY_PROMOTED,
  },
  paused: {
    pause: ALREADY_PAUSED,
    resume: "running",
    advance: RESUME_FIRST,
    promote: "promoted",
    rollback: "rolled_back",
    abort: "aborted",
    revert: ONLY_PROMOTED,
  },
  promoted: {
    pause: ended("promoted"),
    resume: ended("promoted"),
    advance: ended("promoted"),
    promote: ended("promoted"),
    rollback: REVERT_INSTEAD,
    abort: ended("promoted"),
    revert: "rolled_back",
  },
  rolled_back: refusedAll(ended("rolled back")),
  aborted: refusedAll(ended("aborted")),
};

describe("rollout transitions", () => {
  for (const status of ROLLOUT_STATUSES) {
    for (const action of ROLLOUT_ACTIONS) {
      const expected = EXPECTED[status][action];
      it(`${action} from ${status} → ${typeof expected === "string" ? expected : `refused: ${expected.refused}`}`, () => {
        const result = transition({ status, currentStage: 2, stages }, action);
        if (typeof expected === "string") expect(result).toMatchObject({ ok: true, next: { status: expected } });
        else expect(result).toEqual({ ok: false, reason: expected.refused });
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

  it("serves the current stage's percentage only while active", () => {
    expect(servedPercent({ status: "running", currentStage: 3, stages })).toBe(25);
    expect(servedPercent({ status: "paused", currentStage: 3, stages })).toBe(25);
    expect(servedPercent({ status: "aborted", currentStage: 3, stages })).toBe(0);
  });
});
