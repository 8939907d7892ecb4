import { RUN_FAILURES } from "@/lib/playground/schemas";
import { costText, durationText, type ColumnHeadWire, type ColumnResultWire, type LiveColumn } from "@/lib/query/playground-run";

/**
 * A column's answer as it streams in — the text, the tool calls — then its numbers: latency, time
 * to the first token, tokens and cost, or the column's own error. Not a live region: a screen
 * reader would read every piece; the run's status line says when the columns finish.
 */
export function ColumnOutput({ live, head, running }: { live: LiveColumn | null; head: ColumnHeadWire | null; running: boolean }) {
  if (!live) return <p className="rounded-md border border-dashed border-slate-300 p-3 text-sm text-slate-600">Run to see this column&apos;s answer here.</p>;
  const result = live.result;
  return (
    <div className="flex min-w-0 flex-col gap-2 rounded-md border border-slate-200 bg-slate-50 p-3">
      {head && (
        <p className="text-xs text-slate-700">
          {head.versionLabel ?? "Edits"}
          {head.versionId === null && " (edited)"} · <span className="font-mono">{head.model}</span> via {head.providerName}
        </p>
      )}
      <h4 className="sr-only">Answer</h4>
      {live.content ? (
        <p className="text-sm break-words whitespace-pre-wrap">{live.content}</p>
      ) : (
        !result && live.toolCalls.length === 0 && <p className="text-sm text-slate-600">{running ? "Waiting for the first token…" : "No answer."}</p>
      )}
      {live.toolCalls.map((call, i) => (
        <div key={i} className="min-w-0 rounded border border-slate-200 bg-white p-2 text-sm">
          <p>
            Tool call <code className="font-mono font-medium">{call.name || "…"}</code>
          </p>
          <pre className="mt-1 overflow-x-auto text-xs whitespace-pre-wrap break-all">{prettyJson(call.arguments)}</pre>
        </div>
      ))}
      {result?.error && (
        <p className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-900">
          <strong>{capitalize(RUN_FAILURES[result.error.kind])}.</strong> {result.error.message}
        </p>
      )}
      {result && <Numbers result={result} />}
    </div>
  );
}

function Numbers({ result }: { result: ColumnResultWire }) {
  const tokens = result.inputTokens === null || result.outputTokens === null ? "—" : `${result.inputTokens} in · ${result.outputTokens} out`;
  const rows: [string, string][] = [
    ["Latency", durationText(result.latencyMs)],
    ["First token", durationText(result.ttftMs)],
    ["Tokens", tokens],
    ["Cost", result.inputTokens === null ? "—" : costText(result.costUsd)],
  ];
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-slate-600">{term}</dt>
          <dd className="font-medium text-slate-900 tabular-nums">{value}</dd>
        </div>
      ))}
      {result.finishReason && result.finishReason !== "stop" && (
        <div className="contents">
          <dt className="text-slate-600">Finished</dt>
          <dd className="font-medium text-slate-900">{result.finishReason}</dd>
        </div>
      )}
    </dl>
  );
}

/** Tool arguments indented when they are JSON (they usually are), as written otherwise. */
function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
