"use client";

import { DataTable } from "@/components/ui/data-table";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { StatusBadge, VerdictBadge } from "@/components/rollout/badges";
import { useCan } from "@/components/providers";
import { INPUT_CLASS } from "@/components/ui/field";
import { LabeledSelect } from "@/components/ui/labeled-select";
import { LINK } from "@/components/ui/styles";
import { QueryState, StaleNotice } from "@/components/ui/query-state";
import { formatDuration } from "@/components/ui/time";
import {
  CONFIG_SORTS,
  filterConfigs,
  lastOutcome,
  RECENT_ROLLBACK_HOURS,
  ROLLOUT_FILTERS,
  secondsInStage,
  sortConfigs,
  type ConfigSort,
  type RolloutFilter,
} from "@/lib/console/config-list";
import { useNow } from "@/lib/hooks/use-now";
import { configQueries, type ConfigListItemWire } from "@/lib/query/configs";
import { rolloutQueries } from "@/lib/query/rollouts";
import { CreateConfigButton } from "./create-config-dialog";
import { EmptyState } from "./empty-state";
import { LastOutcome } from "./last-outcome";

const SORT_LABELS: Record<ConfigSort, string> = { name: "Name", updated: "Last changed", canary: "Canary share", "in-stage": "Longest in stage" };
const FILTER_LABELS: Record<RolloutFilter, string> = {
  all: "All configs",
  active: "With an active rollout",
  running: "Running",
  paused: "Paused",
  none: "No active rollout",
  "recently-rolled-back": `Rolled back in the last ${RECENT_ROLLBACK_HOURS} h`,
};

export function Dashboard({ origin }: { origin: string }) {
  const configs = useQuery({ ...configQueries.list(), refetchInterval: 10_000 });
  const [text, setText] = useState("");
  const [filter, setFilter] = useState<RolloutFilter>("all");
  const [sort, setSort] = useState<ConfigSort>("name");
  const canCreate = useCan("configs:write");
  const now = useNow(60_000); // for "rolled back in the last 24 h"
  return (
    <section aria-labelledby="configs-heading">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h1 id="configs-heading" className="text-2xl font-semibold">
          Configs
        </h1>
        {canCreate && <CreateConfigButton />}
      </div>
      <QueryState query={configs} label="configs" minHeight="h-48">
        {() =>
          configs.data!.length === 0 ? (
            <EmptyState origin={origin} canCreate={canCreate} />
          ) : (
            <>
              <div className="mb-3 flex flex-wrap items-end gap-3">
                <label className="flex flex-col gap-1 text-sm font-medium">
                  Search
                  <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="key or name" className={INPUT_CLASS} />
                </label>
                <LabeledSelect label="Show" value={filter} onChange={setFilter} options={ROLLOUT_FILTERS.map((f) => ({ value: f, label: FILTER_LABELS[f] }))} />
                <LabeledSelect label="Sort by" value={sort} onChange={setSort} options={CONFIG_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s] }))} />
                <StaleNotice error={configs.isRefetchError ? configs.error : null} />
              </div>
              <ConfigTable configs={sortConfigs(filterConfigs(configs.data!, text, filter, now), sort)} />
            </>
          )
        }
      </QueryState>
    </section>
  );
}

function ConfigTable({ configs }: { configs: ConfigListItemWire[] }) {
  if (configs.length === 0) return <p className="rounded-lg border border-slate-200 bg-white p-6 text-slate-700">No config matches these filters.</p>;
  return (
    <DataTable narrow="cards" minWidth="min-w-[720px]" caption="Configs" columns={["Config", "Stable version", "Canary", "Health"]}>
      {configs.map((config) => (
        <ConfigRow key={config.id} config={config} />
      ))}
    </DataTable>
  );
}

function ConfigRow({ config }: { config: ConfigListItemWire }) {
  const rollout = config.activeRollout;
  const last = lastOutcome(config);
  return (
    <tr className="border-t border-slate-200 align-top">
      <td className="px-4 py-3">
        <Link href={`/configs/${config.key}`} className={`${LINK} font-medium`}>
          {config.name}
        </Link>
        <div className="font-mono text-xs text-slate-600">{config.key}</div>
      </td>
      <td className="px-4 py-3">{config.stableVersion?.label ?? <span className="text-slate-500">none yet</span>}</td>
      <td className="px-4 py-3">
        {rollout ? (
          <div className="flex flex-col gap-1">
            <Link href={`/rollouts/${rollout.id}`} className={`${LINK} font-medium`}>
              {rollout.canaryVersion.label} at {config.canaryPercent}%
            </Link>
            <span className="flex flex-wrap items-center gap-2 text-xs text-slate-700">
              <StatusBadge status={rollout.status} /> stage {rollout.currentStage + 1} · <TimeInStage rollout={rollout} />
            </span>
          </div>
        ) : (
          <div className="flex flex-col gap-1">
            <span className="text-slate-500">no active rollout</span>
            {last && <LastOutcome rollout={last} />}
          </div>
        )}
      </td>
      <td className="px-4 py-3">{rollout ? <Health rolloutId={rollout.id} /> : <span className="text-slate-500">—</span>}</td>
    </tr>
  );
}

function TimeInStage({ rollout }: { rollout: { stageStartedAt: string; pausedAt: string | null } }) {
  const now = useNow(1_000);
  return <span>{formatDuration(secondsInStage(rollout, now))} in stage</span>;
}

function Health({ rolloutId }: { rolloutId: string }) {
  // At a glance only: a slower refresh than the rollout page's, as a report is computed per call.
  const report = useQuery({ ...rolloutQueries.report(rolloutId), refetchInterval: 30_000 });
  if (report.isPending) return <span className="text-xs text-slate-500">judging…</span>;
  if (!report.data) return <span className="text-xs text-red-700">report unavailable</span>;
  return (
    <div role="group" className="flex flex-wrap gap-1" aria-label="Guardrail verdicts">
      {report.data.verdicts.map((v) => (
        <VerdictBadge key={v.key} verdict={v} />
      ))}
    </div>
  );
}
