"use client";

import "@/components/zod-in-browser"; // first: before the schemas these pages import are built
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useCan } from "@/components/providers";
import { Breadcrumb, configStep } from "@/components/ui/breadcrumb";
import { Button } from "@/components/ui/button";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { FormError } from "@/components/ui/form-error";
import { QueryState } from "@/components/ui/query-state";
import { initialColumns, MAX_PLAYGROUND_COLUMNS, runBody, variableInputs, type ColumnDraft, type PlaygroundVersion, type VariableInput } from "@/lib/console/playground-form";
import { applyEvent, durationText, startingRun, type LiveRun } from "@/lib/query/playground-run";
import { counted } from "@/lib/plural";
import { configQueries } from "@/lib/query/configs";
import { playgroundKeys, streamRun } from "@/lib/query/playground";
import { ColumnCard } from "./column-card";
import { RunHistory } from "./run-history";

export function Playground({ configKey }: { configKey: string }) {
  const canRun = useCan("playground:run");
  const detail = useQuery({ ...configQueries.detail(configKey), enabled: canRun });
  const versions = useQuery({ ...configQueries.versions(configKey), enabled: canRun });
  // A stopped run is stored once its columns have let go: the list looks for it until it is there.
  const [awaited, setAwaited] = useState<{ runId: string; since: number } | null>(null);
  if (!canRun) return <p role="alert">Your role cannot use the playground; ask an editor, an operator or an admin.</p>;
  return (
    <div className="flex flex-col gap-8">
      <Breadcrumb trail={[configStep(configKey), "playground"]} />
      <header>
        <h1 className="text-2xl font-semibold">Playground</h1>
        <p className="max-w-3xl text-sm text-slate-700">
          Run versions side by side — or unsaved edits of one — with the same variables and user message, through a provider connection. Each answer streams into its
          column with its latency, time to first token, tokens and cost; every run is kept below.
        </p>
      </header>
      <QueryState query={versions} label="versions" minHeight="h-96">
        {() => (
          <QueryState query={detail} label="the config" minHeight="h-96">
            {() =>
              versions.data!.length === 0 ? (
                <p className="text-sm text-slate-700">This config has no versions yet: write one first.</p>
              ) : (
                <Bench configKey={configKey} versions={versions.data!} stableId={detail.data!.stableVersion?.id ?? null} onStopped={(runId) => setAwaited({ runId, since: Date.now() })} />
              )
            }
          </QueryState>
        )}
      </QueryState>
      <RunHistory configKey={configKey} awaited={awaited} />
    </div>
  );
}

function Bench({ configKey, versions, stableId, onStopped }: { configKey: string; versions: PlaygroundVersion[]; stableId: string | null; onStopped: (runId: string) => void }) {
  const [columns, setColumns] = useState<ColumnDraft[]>(() => initialColumns(versions, stableId));
  const [nextKey, setNextKey] = useState(columns.length + 1);
  const [values, setValues] = useState<Record<string, string>>({});
  const [userMessage, setUserMessage] = useState("");
  const [live, setLive] = useState<LiveRun | null>(null);
  const abort = useRef<AbortController | null>(null);
  // Stop names the run it stopped, so the list can wait for it; pressed before the run's first
  // event, the stop waits for that event (which carries the run's id) and then hangs up.
  const runId = useRef<string | null>(null);
  const stopWanted = useRef(false);
  const queryClient = useQueryClient();
  const connections = useQuery(configQueries.providerNames());
  const variables = variableInputs(columns, versions);
  const run = useMutation({
    mutationFn: async (body: Record<string, unknown>) => {
      const controller = new AbortController();
      abort.current = controller;
      runId.current = null;
      stopWanted.current = false;
      setLive(startingRun(columns.length));
      await streamRun(
        configKey,
        body,
        (event) => {
          setLive((state) => state && applyEvent(state, event));
          if (event.type !== "start") return;
          runId.current = event.runId;
          if (stopWanted.current) stop();
        },
        controller.signal,
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: playgroundKeys.runs(configKey) }),
  });
  function stop() {
    if (runId.current === null) {
      stopWanted.current = true;
      return;
    }
    onStopped(runId.current);
    abort.current?.abort();
  }
  const stopped = run.error instanceof DOMException && run.error.name === "AbortError";
  const change = (key: string, patch: Partial<ColumnDraft>) => setColumns((cs) => cs.map((c) => (c.key === key ? { ...c, ...patch } : c)));
  const add = () => {
    const last = columns[columns.length - 1];
    setColumns((cs) => [...cs, { key: `c${nextKey}`, versionId: last?.versionId ?? versions[0].id, providerId: last?.providerId ?? "", edits: null }]);
    setNextKey((n) => n + 1);
    setLive(null); // its columns no longer line up with these
  };
  const remove = (key: string) => {
    setColumns((cs) => cs.filter((c) => c.key !== key));
    setLive(null);
  };

  return (
    // Not a <form>: each column's "save as new version" dialog holds a form of its own, and forms do not nest.
    <div className="flex flex-col gap-6">
      <fieldset disabled={run.isPending} className="flex flex-col gap-6">
        <section aria-labelledby="inputs-heading" className="flex flex-col gap-3">
          <h2 id="inputs-heading" className="text-lg font-semibold">
            Inputs
          </h2>
          {variables.length > 0 && (
            <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
              {variables.map((v) => (
                <Field key={v.name} label={v.name} hint={variableHint(v)}>
                  {(props) => <input {...props} value={values[v.name] ?? ""} onChange={(e) => setValues((vs) => ({ ...vs, [v.name]: e.target.value }))} className={`${INPUT_CLASS} font-mono`} />}
                </Field>
              ))}
            </div>
          )}
          <Field label="User message" hint="The user's turn: in place of a version's conversation history, or after its messages; empty: none.">
            {(props) => <textarea {...props} rows={3} value={userMessage} onChange={(e) => setUserMessage(e.target.value)} className={INPUT_CLASS} />}
          </Field>
        </section>

        <section aria-labelledby="columns-heading" className="flex flex-col gap-3">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h2 id="columns-heading" className="text-lg font-semibold">
              Columns
            </h2>
            <Button onClick={add} disabled={columns.length >= MAX_PLAYGROUND_COLUMNS} title={columns.length >= MAX_PLAYGROUND_COLUMNS ? `At most ${MAX_PLAYGROUND_COLUMNS} columns` : undefined}>
              Add column
            </Button>
          </div>
          <div className={`grid grid-cols-1 gap-4 md:grid-cols-2 ${columns.length > 2 ? "xl:grid-cols-4" : ""}`}>
            {columns.map((column, index) => (
              <ColumnCard
                key={column.key}
                configKey={configKey}
                index={index}
                column={column}
                versions={versions}
                connections={connections.data ?? []}
                live={live?.columns[index] ?? null}
                head={live?.heads[index] ?? null}
                running={run.isPending}
                onChange={(patch) => change(column.key, patch)}
                onRemove={columns.length > 1 ? () => remove(column.key) : undefined}
              />
            ))}
          </div>
        </section>
      </fieldset>

      <FormError error={stopped ? null : run.error} />
      {live?.failure && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          The run broke off: {live.failure}
        </p>
      )}
      <div className="flex flex-wrap items-center justify-end gap-3">
        <p role="status" className="text-sm text-slate-700">
          {run.isPending
            ? `Running ${counted(columns.length, "column")}…`
            : stopped
              ? "Stopped; the run is kept with what had come."
              : live?.run
                ? `${counted(live.run.columns.length, "column")} finished in ${durationText(live.run.durationMs)}; the run is kept below.`
                : ""}
        </p>
        {run.isPending && <Button onClick={stop}>Stop</Button>}
        <Button variant="primary" onClick={() => run.mutate(runBody(columns, versions, values, userMessage))} disabled={run.isPending || columns.length === 0}>
          {run.isPending ? "Running…" : "Run"}
        </Button>
      </div>
    </div>
  );
}

function variableHint(v: VariableInput): string {
  if (v.required) return v.default !== null ? `Needed: some versions have no default (others use “${v.default}”).` : "Required: a template uses it and gives it no default.";
  return v.default !== null ? `Empty: the default, “${v.default}”.` : "Optional: used only inside a section.";
}
