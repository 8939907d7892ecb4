import { formatValue } from "@/lib/analysis/chart-series";
import { DataTable } from "@/components/ui/data-table";
import type { ReportWire } from "@/lib/query/rollouts";

type Summary = ReportWire["stable"];
type Interval = { value: number; low: number; high: number } | null | undefined;

const ROWS: { label: string; cell: (s: Summary) => string }[] = [
  { label: "Requests", cell: (s) => String(s.requests) },
  { label: "Error rate", cell: (s) => interval(s.errorRate, "percent") },
  { label: "p50 latency", cell: (s) => interval(s.latencyMs?.p50, "ms") },
  { label: "p95 latency", cell: (s) => interval(s.latencyMs?.p95, "ms") },
  { label: "Mean rating", cell: (s) => `${interval(s.rating.mean, "stars")} (${s.rating.count} ratings)` },
  { label: "Cost per request", cell: (s) => interval(s.costPerRequest, "usd") },
];

function interval(i: Interval, unit: "percent" | "ms" | "stars" | "usd"): string {
  if (!i) return "—";
  return `${formatValue(i.value, unit)} (${formatValue(i.low, unit)}–${formatValue(i.high, unit)})`;
}

/** Stable vs canary over the whole rollout, each estimate with its 95% interval. */
export function VariantTable({ report }: { report: ReportWire }) {
  return (
    <DataTable minWidth="min-w-[560px]" caption="Stable and canary compared, with 95% intervals" columns={["Metric", "Stable", "Canary"]}>
      {ROWS.map((row) => (
        <tr key={row.label} className="border-t border-slate-200">
          <th scope="row" className="px-4 py-2 font-medium">{row.label}</th>
          <td className="px-4 py-2 tabular-nums">{row.cell(report.stable)}</td>
          <td className="px-4 py-2 tabular-nums">{row.cell(report.canary)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
