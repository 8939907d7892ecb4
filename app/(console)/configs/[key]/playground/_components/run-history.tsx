"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { QueryState, StaleNotice } from "@/components/ui/query-state";
import { Time } from "@/components/ui/time";
import { costText, durationText, type ColumnResultWire, type PlaygroundRunWire } from "@/lib/query/playground-run";
import { playgroundQueries } from "@/lib/query/playground";

/** The config's runs, newest first: who ran what with which inputs, and each column's numbers; the answers one click away. */
/** Polled for up to this long after a stop, until the stopped run is listed. */
const AWAIT_RUN_MS = 30_000;

export function RunHistory({ configKey, awaited }: { configKey: string; awaited: { runId: string; since: number } | null }) {
  const runs = useInfiniteQuery({
    ...playgroundQueries.runs(configKey),
    refetchInterval: (query) => (awaited && Date.now() - awaited.since < AWAIT_RUN_MS && !query.state.data?.pages[0]?.runs.some((r) => r.id === awaited.runId) ? 1_000 : false),
  });
  const list = runs.data?.pages.flatMap((page) => page.runs) ?? [];
  return (
    <section aria-labelledby="runs-heading" className="flex flex-col gap-3">
      <h2 id="runs-heading" className="text-lg font-semibold">
        Runs
      </h2>
      <QueryState query={runs} label="the runs" minHeight="h-24">
        {() =>
          list.length === 0 ? (
            <p className="text-sm text-slate-700">No runs yet. Every run is kept here, with who ran it, its inputs and its answers.</p>
          ) : (
            <>
              <StaleNotice error={runs.error} />
              <ul className="flex flex-col gap-3" aria-label="Runs, newest first">
                {list.map((run) => (
                  <RunItem key={run.id} run={run} />
                ))}
              </ul>
              {runs.hasNextPage && (
                <Button onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage} className="self-start">
                  {runs.isFetchingNextPage ? "Loading…" : "Show older runs"}
                </Button>
              )}
            </>
          )
        }
      </QueryState>
    </section>
  );
}

const columnName = (c: ColumnResultWire) => `${c.versionLabel ?? "Edits"}${c.versionId === null ? " (edited)" : ""}`;

function RunItem({ run }: { run: PlaygroundRunWire }) {
  const variables = Object.entries(run.variables);
  return (
    <li className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 text-sm">
      <p className="text-slate-700">
        <Time value={run.createdAt} /> by <span className="font-medium text-slate-900">{run.actor.label}</span>
        {run.userMessage && (
          <>
            {" "}
            · <q className="break-words">{run.userMessage.length > 120 ? `${run.userMessage.slice(0, 120)}…` : run.userMessage}</q>
          </>
        )}
      </p>
      <ul className="mt-2 grid grid-cols-1 gap-2 sm:grid-cols-2 xl:grid-cols-4">
        {run.columns.map((c) => (
          <li key={c.position} className="min-w-0 rounded-md bg-slate-50 px-3 py-2">
            <p className="font-medium">
              {columnName(c)} · <span className="font-mono text-xs">{c.model}</span>
            </p>
            {c.error ? (
              <p className="text-red-800">{c.error.message}</p>
            ) : (
              <p className="text-slate-700 tabular-nums">
                {c.inputTokens === null ? "no usage" : `${c.inputTokens} in · ${c.outputTokens} out · ${costText(c.costUsd)}`} · {durationText(c.latencyMs)} (first token {durationText(c.ttftMs)})
              </p>
            )}
          </li>
        ))}
      </ul>
      <details className="mt-2">
        <summary className="cursor-pointer text-slate-800">Inputs and answers</summary>
        <div className="mt-2 flex flex-col gap-2">
          {variables.length > 0 && (
            <p className="break-words">
              Variables:{" "}
              {variables.map(([name, value], i) => (
                <span key={name}>
                  {i > 0 && ", "}
                  <code className="font-mono">{name}</code> = {value}
                </span>
              ))}
            </p>
          )}
          {run.userMessage && <p className="break-words whitespace-pre-wrap">User message: {run.userMessage}</p>}
          {run.columns.map((c) => (
            <div key={c.position} className="min-w-0">
              <p className="font-medium">{columnName(c)}</p>
              <p className="break-words whitespace-pre-wrap text-slate-800">{c.content || (c.toolCalls.length ? "" : "(no text)")}</p>
              {c.toolCalls.map((call, i) => (
                <p key={i} className="break-all">
                  Tool call <code className="font-mono">{call.name}</code>: <code className="font-mono text-xs">{call.arguments}</code>
                </p>
              ))}
            </div>
          ))}
        </div>
      </details>
    </li>
  );
}
