"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { CONTROLLER } from "@/lib/controller/actor";
import { auditQueries } from "@/lib/query/audit";
import type { RolloutWire } from "@/lib/query/configs";

const ENDING_ACTIONS = ["rollout.rollback", "rollout.revert_promotion"];

/**
 * Says loudly when the rollout was rolled back — by the controller or by whom — and why, from the
 * audit event written in the same transaction as the rollback; or that it waits for approval.
 */
export function RolloutBanner({ rollout }: { rollout: RolloutWire }) {
  const rolledBack = rollout.status === "rolled_back";
  const events = useInfiniteQuery({ ...auditQueries.page({ rollout: rollout.id, action: "rollout.*" }), enabled: rolledBack });
  if (rollout.awaitingApproval && rollout.status === "running") {
    return (
      <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-amber-950">
        <strong>Waiting for approval.</strong> Every stage passed its minimums and guardrails; an operator promotes the canary (auto-promote is off).
      </div>
    );
  }
  if (!rolledBack) return null;
  const ending = events.data?.pages[0]?.events.find((e) => ENDING_ACTIONS.includes(e.action));
  const who = ending === undefined ? null : ending.actorType === CONTROLLER.type ? "controller" : ending.actorLabel;
  const reason = rollout.endReason;
  return (
    <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-4 text-red-950">
      <strong>{who === "controller" ? "The controller rolled this canary back automatically." : `Rolled back${who ? ` by ${who}` : ""}.`}</strong>{" "}
      {reason && <span>Reason: {/[.!?]$/.test(reason) ? reason : `${reason}.`}</span>} Every user is on {rollout.baseVersion.label} again.
    </div>
  );
}
