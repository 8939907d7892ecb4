"use client";

import { useQuery } from "@tanstack/react-query";
import { QueryState } from "@/components/ui/query-state";
import { changesByPart, DIFF_PART_LABELS } from "@/lib/console/version-summary";
import { configQueries } from "@/lib/query/configs";
import { MessagesDiff } from "./messages-diff";
import { Words } from "./template-text";

/** Two versions compared part by part: each change in words, then the messages lined up with their line diffs. */
export function VersionDiffView({ configKey, from, to }: { configKey: string; from: string; to: string }) {
  const diff = useQuery(configQueries.diff(configKey, from, to));
  return (
    <QueryState query={diff} label="the diff" minHeight="h-40">
      {() => {
        const d = diff.data!;
        const messagesChanged = d.messages.some((m) => m.status !== "same" || m.moved);
        const changes = changesByPart(d.changes);
        return (
          <div className="flex flex-col gap-4">
            <p className="text-sm text-slate-700">
              From <span className="font-mono font-medium">{d.from.label}</span> to <span className="font-mono font-medium">{d.to.label}</span>
              {d.changes.length === 0 ? ": no differences." : `: ${d.changes.length} ${d.changes.length === 1 ? "change" : "changes"}.`}
            </p>
            {d.changes.length > 0 && (
              <ul aria-label="Changed fields" className="flex flex-col divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white text-sm">
                {changes.map((c, i) => (
                  <li key={i} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 px-3 py-2">
                    {/* The part is shown once per run of changes to it; a screen reader hears it on each. */}
                    <span className="w-32 shrink-0 text-xs font-medium uppercase tracking-wide text-slate-600">
                      <span className={i > 0 && changes[i - 1].part === c.part ? "sr-only" : undefined}>{DIFF_PART_LABELS[c.part]}</span>
                    </span>
                    <span className="min-w-0 flex-1 break-words">
                      <Words text={c.summary} />
                    </span>
                  </li>
                ))}
              </ul>
            )}
            <h3 className="text-base font-semibold">Messages{messagesChanged ? "" : " (unchanged)"}</h3>
            <MessagesDiff messages={d.messages} />
          </div>
        );
      }}
    </QueryState>
  );
}
