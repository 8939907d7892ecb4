import { VerdictBadge } from "@/components/rollout/badges";
import type { ReportWire } from "@/lib/query/rollouts";

/** Each guardrail's verdict with the judge's own sentence, and what the controller will do. */
export function VerdictList({ report }: { report: ReportWire }) {
  const rec = report.recommendation;
  return (
    <div className="flex flex-col gap-3">
      <ul className="grid grid-cols-1 gap-2 lg:grid-cols-2" aria-label="Guardrail verdicts">
        {report.verdicts.map((v) => (
          <li key={v.key} className="flex items-start gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm">
            <VerdictBadge verdict={v} />
            <span className="text-slate-800">{v.sentence}</span>
          </li>
        ))}
      </ul>
      {rec.action !== "none" && (
        <p className="text-sm text-slate-800">
          <span className="font-medium">Controller: </span>
          {rec.action === "wait" ? "waiting" : `recommends ${rec.action}`} — {rec.reason}
        </p>
      )}
    </div>
  );
}
