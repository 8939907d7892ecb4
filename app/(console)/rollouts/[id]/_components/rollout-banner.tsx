"use client";

import { useQuery } from "@tanstack/react-query";
import type { RolloutWire } from "@/lib/query/configs";
import { rolloutQueries } from "@/lib/query/rollouts";
import { CONTROLLER } from "@/lib/controller/actor";

/** Says loudly when the controller rolled the canary back (and why), or is waiting for approval. */
export function RolloutBanner({ rollout }: { rollout: RolloutWire }) {
  const reports = useQuery({ ...rolloutQueries.reports(rollout.id, false), enabled: rollout.status === "rolled_back" });
  if (rollout.awaitingApproval && rollout.status === "running") {
    return (
      <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-amber-950">
        <strong>Waiting for approval.</strong> Every stage passed its minimums and guardrails; an operator promotes the canary (auto-promote is off).
      </div>
    );
  }
  if (rollout.status !== "rolled_back") return null;
  const rollback = reports.data?.findLast((k) => k.event === "rollback");
  const byController = rollback?.actor === CONTROLLER.label;
  return (
    <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-4 text-red-950">
      <strong>{byController ? "The controller rolled this canary back automatically." : `Rolled back${rollback ? ` by ${rollback.actor}` : ""}.`}</strong>{" "}
      {rollout.endReason && <span>Reason: {/[.!?]$/.test(rollout.endReason) ? rollout.endReason : `${rollout.endReason}.`}</span>} Every user is on {rollout.baseVersion.label} again.
    </div>
  );
}
