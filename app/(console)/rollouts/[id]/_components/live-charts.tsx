"use client";

import { useQuery } from "@tanstack/react-query";
import { CANARY_COLOR, MetricChart, STABLE_COLOR } from "@/components/charts/metric-chart";
import { QueryState, StaleNotice } from "@/components/ui/query-state";
import { chartLimit, chartsFor, prepareChart } from "@/lib/analysis/chart-series";
import { rolloutQueries, type ReportWire } from "@/lib/query/rollouts";

/** Stable vs canary over time, refreshed every few seconds while the rollout is active. */
export function LiveCharts({ rolloutId, live, metrics, verdicts, stagePercent }: { rolloutId: string; live: boolean; metrics: ReportWire["metrics"]; verdicts: ReportWire["verdicts"]; stagePercent: number | null }) {
  const series = useQuery(rolloutQueries.series(rolloutId, live));
  return (
    <section aria-labelledby="charts-heading" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="charts-heading" className="text-lg font-semibold">
          Stable vs canary
        </h2>
        <p className="flex items-center gap-3 text-xs text-slate-700">
          <span className="inline-flex items-center gap-1">
            <span className="inline-block h-0.5 w-4" style={{ background: STABLE_COLOR }} /> stable
          </span>
          <span className="inline-flex items-center gap-1">
            <span className="inline-block h-0.5 w-4" style={{ background: CANARY_COLOR }} /> canary
          </span>
          {series.data && <span>per {series.data.resolutionMinutes} min{live ? ", live" : ""}; gaps are minutes without data; dashed: the guardrail limit</span>}
        </p>
      </div>
      <StaleNotice error={series.isRefetchError ? series.error : null} />
      <QueryState query={series} label="the charts" minHeight="h-[34rem]">
        {() => (
          <div className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3">
            {chartsFor(metrics).map((spec) => (
              <MetricChart key={spec.id} spec={spec} rows={prepareChart(series.data!.points, spec)} limit={chartLimit(spec, verdicts, stagePercent)} />
            ))}
          </div>
        )}
      </QueryState>
    </section>
  );
}
