"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "@/components/providers";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormActions } from "@/components/ui/form-actions";
import { FormError } from "@/components/ui/form-error";
import { ApiError, errorMessage, fieldError } from "@/lib/query/api";
import type { RolloutWire } from "@/lib/query/configs";
import { refreshAfterAction, rolloutApi } from "@/lib/query/rollouts";
import { isActive, transition, type RolloutAction } from "@/lib/release/transitions";

interface ActionSpec {
  action: RolloutAction;
  label: string;
  variant: "primary" | "secondary" | "danger";
  needsReason: boolean;
  confirm: (r: RolloutWire) => string;
}

const ACTIONS: ActionSpec[] = [
  { action: "promote", label: "Promote", variant: "primary", needsReason: false, confirm: (r) => `Make ${r.canaryVersion.label} the stable version for every user now?` },
  { action: "advance", label: "Advance stage", variant: "secondary", needsReason: false, confirm: (r) => `Move to the next stage (${r.stages[r.currentStage + 1]?.percent ?? "?"}% canary) now, without waiting for its minimums?` },
  { action: "pause", label: "Pause", variant: "secondary", needsReason: false, confirm: (r) => `Hold the canary at ${r.percent}%? Nothing advances while paused; routing stays as it is.` },
  { action: "resume", label: "Resume", variant: "secondary", needsReason: false, confirm: () => "Resume the rollout? The controller judges and advances again." },
  { action: "rollback", label: "Rollback", variant: "danger", needsReason: true, confirm: (r) => `Send every user back to ${r.baseVersion.label} now?` },
  { action: "revert", label: "Revert promotion", variant: "danger", needsReason: true, confirm: (r) => `Restore ${r.baseVersion.label} as the stable version for every user?` },
];

/** One-click actions: each confirms, sends the revision it saw, disables while pending, and explains a 409. */
export function RolloutActions({ rollout }: { rollout: RolloutWire }) {
  const canOperate = useCan("rollouts:operate");
  const [chosen, setChosen] = useState<ActionSpec | null>(null);
  const [outcome, setOutcome] = useState<{ kind: "ok" | "conflict" | "error"; text: string } | null>(null);
  if (!canOperate) return null;
  const available = ACTIONS.filter((a) => transition({ status: rollout.status, currentStage: rollout.currentStage, stages: rollout.stages }, a.action).ok);
  return (
    <div className="flex flex-col items-end gap-2">
      {available.length > 0 && (
        <div role="group" aria-label="Rollout actions" className="flex flex-wrap justify-end gap-2">
          {available.map((a) => (
            <Button key={a.action} variant={a.variant} onClick={() => { setOutcome(null); setChosen(a); }}>
              {a.label}
            </Button>
          ))}
        </div>
      )}
      {outcome && (
        <p role={outcome.kind === "ok" ? "status" : "alert"} className={`max-w-xl text-right text-sm ${outcome.kind === "ok" ? "text-green-800" : "text-red-800"}`}>
          {outcome.text}
        </p>
      )}
      {chosen && <ConfirmAction spec={chosen} rollout={rollout} onClose={() => setChosen(null)} onDone={setOutcome} />}
    </div>
  );
}

function ConfirmAction({ spec, rollout: live, onClose, onDone }: { spec: ActionSpec; rollout: RolloutWire; onClose: () => void; onDone: (o: { kind: "ok" | "conflict" | "error"; text: string }) => void }) {
  // The state the operator confirms is the state when the dialog opened: the page keeps
  // polling, but the question and the revision sent must not change under them.
  const [rollout] = useState(live);
  const [reason, setReason] = useState("");
  const queryClient = useQueryClient();
  const act = useMutation({
    mutationFn: () => rolloutApi.act(rollout.id, spec.action, { revision: rollout.revision, ...(spec.needsReason ? { reason } : {}) }),
    onSuccess: async (next) => {
      onDone({ kind: "ok", text: `${spec.label}: done. The rollout is now ${describe(next)}.` });
      onClose();
      await refreshAfterAction(queryClient, rollout.id, next);
    },
    onError: async (error) => {
      if (error instanceof ApiError && error.status === 400) return; // shown in the dialog, next to the field
      const current = error instanceof ApiError && error.status === 409 ? (error.current as RolloutWire | undefined) : undefined;
      onDone({
        kind: error instanceof ApiError && error.status === 409 ? "conflict" : "error",
        text: current ? `Not done: ${error.message} It is now ${describe(current)}; the page shows the new state.` : `Not done: ${errorMessage(error)}`,
      });
      onClose();
      await refreshAfterAction(queryClient, rollout.id, current?.id === rollout.id ? current : undefined);
    },
  });
  return (
    <Dialog open onClose={onClose} title={`${spec.label}?`}>
      <Form onSubmit={() => act.mutate()}>
        <p className="text-slate-800">{spec.confirm(rollout)}</p>
        {spec.needsReason && (
          <Field label="Reason" hint="Kept in the audit log and sent with the alert." error={fieldError(act.error, "reason")}>
            {(props) => <textarea {...props} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} required className={INPUT_CLASS} autoFocus />}
          </Field>
        )}
        {act.error && !fieldError(act.error, "reason") && <FormError error={act.error} />}
        <FormActions
          onCancel={onClose}
          pending={act.isPending}
          disabled={spec.needsReason && reason.trim() === ""}
          variant={spec.variant === "danger" ? "danger" : "primary"}
          label={`Confirm ${spec.label.toLowerCase()}`}
          pendingLabel="Working…"
        />
      </Form>
    </Dialog>
  );
}

function describe(r: RolloutWire): string {
  const status = r.status.replace("_", " ");
  return isActive(r.status) ? `${status} at stage ${r.currentStage + 1} (${r.percent}% canary)` : status;
}
