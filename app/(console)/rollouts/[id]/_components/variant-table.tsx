import { DataTable } from "@/components/ui/data-table";
import { intervalText } from "@/lib/console/interval-text";
import type { ReportWire } from "@/lib/query/rollouts";

type Summary = ReportWire["stable"];
type Metric = ReportWire["metrics"][number];

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
          // Requests are counted in the table's first row; other samples beside each estimate.
          return intervalText(summary.value, m.unit, summary.count, m.samples, m.samples !== "requests");
        },
      };
      if (m.kind !== "latency_quantile") return [own];
      return [{ key: `${m.key}:p50`, label: m.label.replace(/^p\d+/, "p50"), cell: (s) => intervalText(s.metrics[m.key]?.quantiles?.p50, m.unit, s.metrics[m.key]?.count ?? null, m.samples) }, own];
    }),
  ];
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
