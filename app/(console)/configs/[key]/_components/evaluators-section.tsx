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
import { answerWords, samplingWords } from "@/lib/console/evaluator-form";
import { configQueries } from "@/lib/query/configs";
import { evaluatorApi, evaluatorKeys, evaluatorQueries, type EvaluatorWire } from "@/lib/query/evaluators";
import { scoreQueries } from "@/lib/query/scores";
import { EvaluatorDialog } from "./evaluator-dialog";

/**
 * The config's online evaluators (LLM-as-a-judge): everyone who reads the config sees them;
 * editors (configs:write) add, change and delete them. Each writes one of the config's scores.
 */
export function EvaluatorsSection({ configKey }: { configKey: string }) {
  const evaluators = useQuery(evaluatorQueries.list(configKey));
  const canWrite = useCan("configs:write");
  const scores = useQuery({ ...scoreQueries.list(configKey), enabled: canWrite });
  const providers = useQuery({ ...configQueries.providerNames(), enabled: canWrite });
  const [adding, setAdding] = useState(false);
  const ready = scores.data !== undefined && providers.data !== undefined;
  const missing = ready && (scores.data!.length === 0 || providers.data!.length === 0);
  const names = new Map((providers.data ?? []).map((p) => [p.id, p.name]));
  return (
    <section aria-labelledby="evaluators-heading">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 id="evaluators-heading" className="text-lg font-semibold">
          Evaluators
        </h2>
        {canWrite && (
          <Button onClick={() => setAdding(true)} disabled={!ready || missing}>
            Add evaluator
          </Button>
        )}
      </div>
      <p className="mb-3 max-w-3xl text-sm text-slate-700">
        An evaluator asks a model to judge sampled outcomes that carry an output sample, and writes its verdict as one of the scores above, as a client&apos;s late score
        would be: a guardrail score it writes can roll a canary back.
        {canWrite && missing && " It needs a score of this config and a provider connection first."}
      </p>
      <QueryState query={evaluators} label="evaluators" minHeight="h-16">
        {() =>
          evaluators.data!.length === 0 ? (
            <p className="text-sm text-slate-700">No evaluators yet.</p>
          ) : (
            <DataTable narrow="cards" minWidth="min-w-[860px]" caption={`Evaluators of ${configKey}`} columns={["Evaluator", "Writes", "Judge", "Reads", "Sampling", ...(canWrite ? ["Actions"] : [])]}>
              {evaluators.data!.map((e) => (
                <EvaluatorRow key={e.id} configKey={configKey} evaluator={e} canWrite={canWrite && ready} providerName={names.get(e.providerId)} open={() => ({ scores: scores.data!, providers: providers.data! })} />
              ))}
            </DataTable>
          )
        }
      </QueryState>
      {adding && ready && <EvaluatorDialog configKey={configKey} scores={scores.data!} providers={providers.data!} onClose={() => setAdding(false)} />}
    </section>
  );
}

interface RowProps {
  configKey: string;
  evaluator: EvaluatorWire;
  canWrite: boolean;
  providerName: string | undefined;
  open: () => Pick<Parameters<typeof EvaluatorDialog>[0], "scores" | "providers">;
}

function EvaluatorRow({ configKey, evaluator: e, canWrite, providerName, open }: RowProps) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <tr className="border-t border-slate-200 align-top">
      <td className="px-4 py-3">
        <div className="font-medium">{e.name}</div>
        {e.enabled ? <Badge tone="green">enabled</Badge> : <Badge tone="gray">paused</Badge>}
      </td>
      <td className="px-4 py-3 font-mono">{e.scoreKey}</td>
      <td className="px-4 py-3">
        <div className="font-mono">{e.model}</div>
        <div className="text-xs text-slate-600">{providerName ?? e.providerId}</div>
      </td>
      <td className="px-4 py-3">{answerWords(e.answer)}</td>
      <td className="px-4 py-3">{samplingWords(e)}</td>
      {canWrite && (
        <td className="px-4 py-3 whitespace-nowrap">
          <span className="flex gap-2">
            <Button onClick={() => setEditing(true)} aria-label={`Change ${e.name}`}>
              Change
            </Button>
            <Button variant="danger" onClick={() => setDeleting(true)} aria-label={`Delete ${e.name}`}>
              Delete
            </Button>
          </span>
          {editing && <EvaluatorDialog configKey={configKey} evaluator={e} {...open()} onClose={() => setEditing(false)} />}
          {deleting && <DeleteEvaluatorDialog configKey={configKey} evaluator={e} onClose={() => setDeleting(false)} />}
        </td>
      )}
    </tr>
  );
}

function DeleteEvaluatorDialog({ configKey, evaluator, onClose }: { configKey: string; evaluator: EvaluatorWire; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => evaluatorApi.remove(configKey, evaluator.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: evaluatorKeys.list(configKey) });
      onClose();
    },
  });
  return (
    <Dialog open onClose={onClose} title={`Delete evaluator ${evaluator.name}?`}>
      <p className="mb-4 text-sm">Its pending evaluations are dropped. What it already evaluated stays in the rollouts&apos; evaluation logs, and its scores stay stored.</p>
      <Form onSubmit={() => remove.mutate()}>
        <FormError error={remove.error} />
        <FormActions onCancel={onClose} pending={remove.isPending} variant="danger" label="Delete evaluator" pendingLabel="Deleting…" />
      </Form>
    </Dialog>
  );
}
