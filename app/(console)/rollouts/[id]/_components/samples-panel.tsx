"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { QueryState } from "@/components/ui/query-state";
import { Time } from "@/components/ui/time";
import { rolloutQueries } from "@/lib/query/rollouts";
import { samplePolicyText } from "@/lib/release/sample-policy";

const VIEWS = {
  worst: { label: "Worst-rated (1-2 stars)", filter: { variant: "canary" as const, maxRating: 2 } },
  errors: { label: "Erroring", filter: { variant: "canary" as const, errors: true } },
};
type View = keyof typeof VIEWS;

/**
 * Canary requests worth reading: the worst-rated and the erroring ones, with input and output, and
 * what is kept of them (the config's sample policy, how long outcomes are kept).
 */
export function SamplesPanel({ rolloutId, live }: { rolloutId: string; live: boolean }) {
  const [view, setView] = useState<View>("worst");
  const samples = useQuery(rolloutQueries.samples(rolloutId, VIEWS[view].filter, live));
  return (
    <section aria-labelledby="samples-heading" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="samples-heading" className="text-lg font-semibold">
          Canary samples
        </h2>
        <div role="group" aria-label="Which samples" className="flex gap-1">
          {(Object.keys(VIEWS) as View[]).map((v) => (
            <button
              key={v}
              type="button"
              aria-pressed={view === v}
              onClick={() => setView(v)}
              className={`rounded-md px-3 py-1 text-sm ${view === v ? "bg-slate-900 text-white" : "border border-slate-300 bg-white hover:bg-slate-100"}`}
            >
              {VIEWS[v].label}
            </button>
          ))}
        </div>
      </div>
      {samples.data && (
        <p className="text-sm text-slate-700">
          {samplePolicyText(samples.data.kept.samplePolicy)} (the config&apos;s sample policy); outcomes are kept {samples.data.kept.retentionDays} days.
        </p>
      )}
      <QueryState query={samples} label="samples" minHeight="h-32">
        {() =>
          samples.data!.samples.length === 0 ? (
            <p className="text-sm text-slate-700">None so far.</p>
          ) : (
            <ul className="flex flex-col gap-2">
              {samples.data!.samples.map((s) => (
                <li key={s.requestId} className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
                  <div className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
                    <Time value={s.at} />
                    <span className="font-mono">{s.requestId}</span>
                    {s.isError && <span className="font-medium text-red-800">error{s.errorType ? `: ${s.errorType}` : ""}</span>}
                    {s.rating !== null && <span>rating {s.rating}/5</span>}
                    <span>{s.latencyMs} ms</span>
                    {s.ttftMs !== null && <span>first token {s.ttftMs} ms</span>}
                  </div>
                  {s.ratingComment && <p className="mt-1 italic text-slate-800">“{s.ratingComment}”</p>}
                  {(s.input || s.output) && (
                    <dl className="mt-2 grid grid-cols-1 gap-2 md:grid-cols-2">
                      <div>
                        <dt className="text-xs font-medium text-slate-600">Input</dt>
                        <dd className="line-clamp-4 whitespace-pre-wrap break-words">{s.input ?? "—"}</dd>
                      </div>
                      <div>
                        <dt className="text-xs font-medium text-slate-600">Output</dt>
                        <dd className="line-clamp-4 whitespace-pre-wrap break-words">{s.output ?? "—"}</dd>
                      </div>
                    </dl>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </section>
  );
}
