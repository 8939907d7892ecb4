"use client";

import { DataTable } from "@/components/ui/data-table";
import { useQuery } from "@tanstack/react-query";
import { VerdictBadge } from "@/components/rollout/badges";
import { QueryState } from "@/components/ui/query-state";
import { Time } from "@/components/ui/time";
import { formatValue } from "@/lib/analysis/format-value";
import { counted } from "@/lib/plural";
import { rolloutQueries, type ReportSnapshotWire, type ReportWire } from "@/lib/query/rollouts";

const EVENT_WORDS: Record<string, string> = { advance: "advanced", promote: "promoted", rollback: "rolled back", abort: "aborted", revert: "promotion reverted" };

/** Each stage reached with both variants' figures in it, and the reports kept at each decision. */
export function StageHistory({ rolloutId, report, live }: { rolloutId: string; report: ReportWire | undefined; live: boolean }) {
  const kept = useQuery(rolloutQueries.reports(rolloutId, live));
  // A column per guardrail metric (the built-ins and the scores this rollout judges).
  const guardrails = report?.metrics.filter((m) => m.guardrail) ?? [];
  return (
    <section aria-labelledby="history-heading" className="flex flex-col gap-3">
      <h2 id="history-heading" className="text-lg font-semibold">
        Stage history
      </h2>
      {report && report.stages.length > 0 && (
        <DataTable
          minWidth="min-w-[640px]"
          caption="Stage history"
          columns={[
            "Stage",
            "From",
            "To",
            "Canary requests",
            ...guardrails.map((m) => (
              <span key={m.key}>
                {m.label} <span className="block whitespace-nowrap text-xs font-normal">stable / canary</span>
              </span>
            )),
          ]}
        >
          {/* Values never wrap: a narrow window scrolls the table (first column pinned) instead. */}
          {report.stages.map((s) => (
            <tr key={s.index} className="border-t border-slate-200 whitespace-nowrap">
              <td className="px-4 py-2">
                {s.index + 1} · {s.percent}%
              </td>
              <td className="px-4 py-2"><Time value={s.startedAt} /></td>
              <td className="px-4 py-2">{s.endedAt ? <Time value={s.endedAt} /> : "now"}</td>
              <td className="px-4 py-2 tabular-nums">{s.canary.requests}</td>
              {guardrails.map((m) => (
                <td key={m.key} className="px-4 py-2 tabular-nums">
                  {formatValue(s.stable.metrics[m.key]?.value?.value ?? null, m.unit)} / {formatValue(s.canary.metrics[m.key]?.value?.value ?? null, m.unit)}
                </td>
              ))}
            </tr>
          ))}
        </DataTable>
      )}
      <h3 className="text-sm font-medium">Reports kept at each decision</h3>
      <QueryState query={kept} label="the kept reports" minHeight="h-16">
        {() =>
          kept.data!.length === 0 ? (
            <p className="text-sm text-slate-700">No decisions yet: a report is kept just before each advance, promotion, rollback or abort.</p>
          ) : (
            <KeptReports reports={kept.data!} />
          )
        }
      </QueryState>
    </section>
  );
}

function KeptReports({ reports }: { reports: ReportSnapshotWire[] }) {
  return (
    <ul className="flex flex-col gap-2">
      {reports.map((k) => (
        <li key={k.id}>
          <details className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
            <summary className="cursor-pointer">
              <span className="font-medium">Stage {k.stage + 1}: {EVENT_WORDS[k.event] ?? k.event}</span> by {k.actor}, <Time value={k.createdAt} /> — canary {counted(k.report.canary.requests, "request")}, stable {k.report.stable.requests.toLocaleString("en-US")}
            </summary>
            <ul className="mt-2 flex flex-col gap-1">
              {k.report.verdicts.map((v) => (
                <li key={v.key} className="flex items-start gap-2">
                  <VerdictBadge verdict={v} /> <span>{v.sentence}</span>
                </li>
              ))}
            </ul>
            <p className="mt-2 text-slate-700">Recommendation then: {k.report.recommendation.action} — {k.report.recommendation.reason}</p>
          </details>
        </li>
      ))}
    </ul>
  );
}
