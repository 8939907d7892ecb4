"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "@/components/providers";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { Dialog } from "@/components/ui/dialog";
import { Form } from "@/components/ui/form";
import { FormActions } from "@/components/ui/form-actions";
import { FormError } from "@/components/ui/form-error";
import { QueryState } from "@/components/ui/query-state";
import { scoreApi, scoreKeys, scoreQueries, type ScoreWire } from "@/lib/query/scores";
import { scoreDirectionWords, scoreRangeWords, scoreThresholdWords } from "@/lib/release/score-words";
import { ScoreDialog } from "./score-dialog";

/**
 * The config's custom scores: everyone who reads the config sees them; editors (configs:write)
 * add, change and delete them. A rollout copies the guardrails' thresholds when it starts.
 */
export function ScoresSection({ configKey }: { configKey: string }) {
  const scores = useQuery(scoreQueries.list(configKey));
  const canWrite = useCan("configs:write");
  const [adding, setAdding] = useState(false);
  return (
    <section aria-labelledby="scores-heading">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 id="scores-heading" className="text-lg font-semibold">
          Scores
        </h2>
        {canWrite && (
          <Button onClick={() => setAdding(true)} disabled={scores.data === undefined}>
            Add score
          </Button>
        )}
      </div>
      <p className="mb-3 max-w-3xl text-sm text-slate-700">
        Per-request quality signals your app sends with each outcome, or later (<code className="font-mono">scores: {"{ key: value }"}</code>). A guardrail is judged
        canary against stable and may hold or roll back a stage; a tracked score is charted and reported only. A rollout keeps the thresholds the guardrails had when it
        started.
      </p>
      <QueryState query={scores} label="scores" minHeight="h-16">
        {() =>
          scores.data!.length === 0 ? (
            <p className="text-sm text-slate-700">No custom scores yet.</p>
          ) : (
            <DataTable
              minWidth="min-w-[860px]"
              caption={`Scores of ${configKey}`}
              columns={["Score", "Kind", "Values", "Direction", "Role", "Threshold", ...(canWrite ? [<span key="actions" className="sr-only">Actions</span>] : [])]}
            >
              {scores.data!.map((s) => (
                <ScoreRow key={s.key} configKey={configKey} score={s} canWrite={canWrite} />
              ))}
            </DataTable>
          )
        }
      </QueryState>
      {adding && <ScoreDialog configKey={configKey} onClose={() => setAdding(false)} />}
    </section>
  );
}

function ScoreRow({ configKey, score, canWrite }: { configKey: string; score: ScoreWire; canWrite: boolean }) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <tr className="border-t border-slate-200 align-top">
      <td className="px-4 py-3">
        <div className="font-medium">{score.label}</div>
        <div className="font-mono text-xs text-slate-600">{score.key}</div>
        {score.description && <div className="mt-1 max-w-xs text-xs text-slate-700">{score.description}</div>}
      </td>
      <td className="px-4 py-3">{score.kind}</td>
      <td className="px-4 py-3 whitespace-nowrap">{scoreRangeWords(score)}</td>
      <td className="px-4 py-3 whitespace-nowrap">{scoreDirectionWords(score.direction)}</td>
      <td className="px-4 py-3">{score.guardrail ? <Badge tone="blue">guardrail</Badge> : <Badge tone="gray">tracked</Badge>}</td>
      <td className="px-4 py-3">{scoreThresholdWords(score, score.threshold)}</td>
      {canWrite && (
        <td className="px-4 py-3 whitespace-nowrap">
          <span className="flex gap-2">
            <Button onClick={() => setEditing(true)} aria-label={`Change ${score.key}`}>
              Change
            </Button>
            <Button variant="danger" onClick={() => setDeleting(true)} aria-label={`Delete ${score.key}`}>
              Delete
            </Button>
          </span>
          {editing && <ScoreDialog configKey={configKey} score={score} onClose={() => setEditing(false)} />}
          {deleting && <DeleteScoreDialog configKey={configKey} score={score} onClose={() => setDeleting(false)} />}
        </td>
      )}
    </tr>
  );
}

function DeleteScoreDialog({ configKey, score, onClose }: { configKey: string; score: ScoreWire; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => scoreApi.remove(configKey, score.key),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: scoreKeys.list(configKey) });
      onClose();
    },
  });
  return (
    <Dialog open onClose={onClose} title={`Delete score ${score.key}?`}>
      <p className="mb-4 text-sm">
        Values already stored stay. From now on clients sending <code className="font-mono">{score.key}</code> are refused until it is defined again, and new rollouts do
        not judge it. A running rollout that judges it has to end first.
      </p>
      <Form onSubmit={() => remove.mutate()}>
        <FormError error={remove.error} />
        <FormActions onCancel={onClose} pending={remove.isPending} variant="danger" label="Delete score" pendingLabel="Deleting…" />
      </Form>
    </Dialog>
  );
}
