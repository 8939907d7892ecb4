"use client";

import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { summarizeChart, type ChartRow, type ChartSpec } from "@/lib/analysis/chart-series";
import { formatTick, formatValue } from "@/lib/analysis/format-value";
import type { MetricUnit } from "@/lib/guardrails/registry";

export const STABLE_COLOR = "#475569"; // slate-600
export const CANARY_COLOR = "#c2410c"; // orange-700: canary, readable on white
const LIMIT_COLOR = "#b91c1c";
const TICK_COLOR = "#334155";
const TICK_FONT_PX = 11;

/**
 * A y-axis label as one line of text (recharts' own tick wraps a label at its spaces to fit the
 * axis width, and the top label's second line fell outside the chart), written compactly. It keeps
 * recharts' class name: the axis's "auto" width is measured from the elements that carry it.
 */
function YTick({ x, y, payload, className, unit }: { x?: number | string; y?: number | string; payload?: { value: unknown }; className?: string; unit: MetricUnit }) {
  return (
    <text x={x} y={y} dy="0.35em" textAnchor="end" fontSize={TICK_FONT_PX} fill={TICK_COLOR} className={className} data-testid="y-tick">
      {formatTick(Number(payload?.value), unit)}
    </text>
  );
}

// Renders prepared rows only (lib/analysis/chart-series.ts). Animation is off: live data would
// otherwise re-animate on every refresh. Gaps stay gaps (connectNulls off). The fixed height
// keeps the page from jumping while data loads or refreshes.
export function MetricChart({ spec, rows, limit }: { spec: ChartSpec; rows: ChartRow[]; limit: number | null }) {
  const { buckets, last, canaryTotal } = summarizeChart(rows);
  const bucketLabel = `${buckets} ${buckets === 1 ? "bucket" : "buckets"} with data`;
  const countWord = spec.samples;
  return (
    <figure className="flex flex-col rounded-xl border border-slate-200 bg-white p-3" aria-label={`${spec.title} chart, ${bucketLabel}`}>
      <figcaption className="mb-1 flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
        <span className="font-medium">{spec.title}</span>
        <span className="text-xs text-slate-700" data-testid="chart-latest">
          {last ? (
            <>
              latest: {!spec.canaryOnly && <>stable {formatValue(last.stable, spec.unit)} · </>}canary {formatValue(last.canary, spec.unit)} · {canaryTotal} canary {countWord}, {bucketLabel}
            </>
          ) : (
            "no data yet"
          )}
        </span>
      </figcaption>
      <div className="h-48">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={(t: number) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} tick={{ fontSize: TICK_FONT_PX, fill: TICK_COLOR }} minTickGap={24} />
            <YAxis width="auto" tick={(props) => <YTick x={props.x} y={props.y} payload={props.payload} className={props.className} unit={spec.unit} />} domain={spec.unit === "stars" ? [1, 5] : [0, "auto"]} />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
              formatter={(value, name, item) => {
                const row = item.payload as ChartRow;
                const n = name === "canary" ? row.canaryCount : row.stableCount;
                return [`${formatValue(typeof value === "number" ? value : null, spec.unit)} (${n} ${countWord})`, name];
              }}
            />
            {!spec.canaryOnly && <Line name="stable" dataKey="stable" stroke={STABLE_COLOR} strokeWidth={2} dot={{ r: 2 }} connectNulls={false} isAnimationActive={false} />}
            <Line name="canary" dataKey="canary" stroke={CANARY_COLOR} strokeWidth={2} dot={{ r: 2 }} connectNulls={false} isAnimationActive={false} />
            {limit !== null && Number.isFinite(limit) && (
              <ReferenceLine y={limit} stroke={LIMIT_COLOR} strokeDasharray="6 4" ifOverflow="extendDomain" label={{ value: spec.canaryOnly ? "stage target" : "limit", position: "insideTopRight", fontSize: 11, fill: LIMIT_COLOR }} />
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
