"use client";

import { useQuery } from "@tanstack/react-query";
import { Badge, type Tone } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { QueryState } from "@/components/ui/query-state";
import { Time } from "@/components/ui/time";
import { formatValue } from "@/lib/analysis/format-value";
import { evaluatorQueries, type EvaluationLogWire } from "@/lib/query/evaluators";

const STATUS_TONES: Record<EvaluationLogWire["evaluations"][number]["status"], Tone> = { done: "green", failed: "red", pending: "amber" };

/**
 * The rollout's evaluation log: what its config's evaluators made of its outcomes (score, the
 * judge's raw answer, latency, error, cost), newest first, and what the evaluations cost in all.
 */
export function EvaluationLog({ rolloutId, live }: { rolloutId: string; live: boolean }) {
  const log = useQuery(evaluatorQueries.log(rolloutId, live));
  return (
    <section aria-labelledby="evaluations-heading" className="flex flex-col gap-3">
      <h2 id="evaluations-heading" className="text-lg font-semibold">
        Evaluations
      </h2>
      <QueryState query={log} label="the evaluation log" minHeight="h-24">
        {() => {
          const { evaluations, totals } = log.data!;
          if (totals.byEvaluator.length === 0) return <p className="text-sm text-slate-700">No evaluator has judged this rollout&apos;s outcomes.</p>;
          return (
            <>
              <p className="text-sm text-slate-800">
                Evaluation cost for this rollout: <strong>{formatValue(totals.costUsd, "usd")}</strong>
              </p>
              <ul className="flex flex-col gap-1 text-sm text-slate-700">
                {totals.byEvaluator.map((t) => (
                  <li key={t.evaluatorId}>
                    <span className="font-medium text-slate-900">{t.evaluatorName ?? "(deleted evaluator)"}</span>: {t.done} done, {t.failed} failed, {t.pending} pending
                    {t.meanScore !== null && <> · mean score {formatValue(t.meanScore, "score")}</>} · {formatValue(t.costUsd, "usd")}
                  </li>
                ))}
              </ul>
              <DataTable narrow="cards" minWidth="min-w-[900px]" caption="Evaluations, newest first" columns={["Request", "Status", "Score", "Judge's answer", "Latency", "Cost"]}>
                {evaluations.map((e) => (
                  <tr key={e.id} className="border-t border-slate-200 align-top">
                    <td className="px-4 py-3">
                      <div className="font-mono text-xs break-all">{e.requestId}</div>
                      <div className="text-xs font-normal text-slate-600">
                        {e.variant} · {e.evaluatorName ?? "(deleted evaluator)"} · <Time value={e.finishedAt ?? e.createdAt} />
                      </div>
                    </td>
                    <td className="px-4 py-3">
                      <Badge tone={STATUS_TONES[e.status]}>{e.status}</Badge>
                      <span className="ml-1 text-xs text-slate-600">
                        {e.attempts} attempt{e.attempts === 1 ? "" : "s"}
                      </span>
                      {e.error && <p className="mt-1 text-xs break-words text-red-800">{e.error}</p>}
                    </td>
                    <td className="px-4 py-3">{e.score === null ? "—" : formatValue(e.score, "score")}</td>
                    <td className="px-4 py-3">
                      <p className="line-clamp-3 max-w-sm whitespace-pre-wrap break-words">{e.rawAnswer ?? "—"}</p>
                    </td>
                    <td className="px-4 py-3 whitespace-nowrap">{formatValue(e.latencyMs, "ms")}</td>
                    <td className="px-4 py-3 whitespace-nowrap">{formatValue(e.costUsd, "usd")}</td>
                  </tr>
                ))}
              </DataTable>
              {evaluations.length < totals.byEvaluator.reduce((n, t) => n + t.done + t.failed + t.pending, 0) && (
                <p className="text-xs text-slate-600">The newest {evaluations.length} are shown; GET /api/admin/rollouts/{rolloutId}/evaluations pages through all of them.</p>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
