import { formatValue, type ChartUnit } from "@/lib/analysis/chart-series";
import { DataTable } from "@/components/ui/data-table";
import { counted, singularOf } from "@/lib/plural";
import type { ReportWire } from "@/lib/query/rollouts";

type Summary = ReportWire["stable"];
type Metric = ReportWire["metrics"][number];
type Interval = { value: number; low: number; high: number } | null | undefined;

interface Row {
  key: string;
  label: string;
  cell: (s: Summary) => string;
}

/** A row per metric of the rollout (a quantile metric also gets its median), in the report's order. */
function rowsFor(metrics: readonly Metric[]): Row[] {
  return [
    { key: "requests", label: "Requests", cell: (s) => String(s.requests) },
    ...metrics.flatMap((m): Row[] => {
      const own: Row = {
        key: m.key,
        label: m.guardrail ? m.label : `${m.label} (tracked)`,
        cell: (s) => {
          const summary = s.metrics[m.key];
          if (!summary) return "—";
          const count = m.samples === "requests" || summary.count === null ? "" : ` (${counted(summary.count, singularOf(m.samples), m.samples)})`;
          return `${interval(summary.value, m.unit)}${count}`;
        },
      };
      if (m.kind !== "latency_quantile") return [own];
      return [{ key: `${m.key}:p50`, label: m.label.replace(/^p\d+/, "p50"), cell: (s) => interval(s.metrics[m.key]?.quantiles?.p50, m.unit) }, own];
    }),
  ];
}

function interval(i: Interval, unit: ChartUnit): string {
  if (!i) return "—";
  return `${formatValue(i.value, unit)} (${formatValue(i.low, unit)}–${formatValue(i.high, unit)})`;
}

/** Stable vs canary over the whole rollout, each estimate with its 95% interval. */
export function VariantTable({ report }: { report: ReportWire }) {
  return (
    <DataTable narrow="cards" minWidth="min-w-[560px]" caption="Stable and canary compared, with 95% intervals" columns={["Metric", "Stable", "Canary"]}>
      {rowsFor(report.metrics).map((row) => (
        <tr key={row.key} className="border-t border-slate-200">
          <th scope="row" className="px-4 py-2 font-medium">{row.label}</th>
          <td className="px-4 py-2 tabular-nums">{row.cell(report.stable)}</td>
          <td className="px-4 py-2 tabular-nums">{row.cell(report.canary)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
