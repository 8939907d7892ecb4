"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { StatusBadge } from "@/components/rollout/badges";
import { QueryState, StaleNotice } from "@/components/ui/query-state";
import { LINK } from "@/components/ui/styles";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Time } from "@/components/ui/time";
import { configQueries } from "@/lib/query/configs";
import { rolloutQueries } from "@/lib/query/rollouts";
import { isActive } from "@/lib/release/transitions";
import { EvaluationLog } from "./evaluation-log";
import { LiveCharts } from "./live-charts";
import { RolloutActions } from "./rollout-actions";
import { RolloutBanner } from "./rollout-banner";
import { SamplesPanel } from "./samples-panel";
import { StageHistory } from "./stage-history";
import { StageProgress } from "./stage-progress";
import { VariantTable } from "./variant-table";
import { VerdictList } from "./verdict-list";

export function RolloutView({ rolloutId }: { rolloutId: string }) {
  const rollout = useQuery(rolloutQueries.detail(rolloutId));
  const report = useQuery(rolloutQueries.report(rolloutId));
  const live = rollout.data !== undefined && isActive(rollout.data.status);
  return (
    <QueryState query={rollout} label="the rollout" minHeight="h-40">
      {() => {
        const r = rollout.data!;
        return (
          <div className="flex flex-col gap-6">
            <Breadcrumb trail={[<ConfigCrumb key="config" configId={r.configId} />, "rollout"]} />
            <header className="flex flex-wrap items-start justify-between gap-4">
              <div>
                <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold">
                  <span className="font-mono">{r.baseVersion.label}</span> → <span className="font-mono">{r.canaryVersion.label}</span>
                  <StatusBadge status={r.status} awaitingApproval={r.awaitingApproval} />
                </h1>
                <p className="mt-1 text-sm text-slate-700">
                  {live ? (
                    `${r.percent}% of users on the canary, stage ${r.currentStage + 1} of ${r.stages.length}`
                  ) : (
                    <>ended {r.endedAt ? <Time value={r.endedAt} /> : "—"}</>
                  )}{" "}
                  · started <Time value={r.createdAt} /> by {r.startedBy}
                  {/* How it will end matters only while it has not. */}
                  {live && (r.autoPromote ? " · auto-promote" : " · promotion needs approval")} · {r.sticky ? "sticky" : "not sticky"}
                </p>
                <StaleNotice error={rollout.isRefetchError ? rollout.error : null} />
              </div>
              <RolloutActions rollout={r} />
            </header>
            <RolloutBanner rollout={r} />
            <StageProgress rollout={r} stage={report.data?.stage ?? null} />
            <section aria-labelledby="guardrails-heading" className="flex flex-col gap-3">
              <h2 id="guardrails-heading" className="text-lg font-semibold">
                Guardrails
              </h2>
              <QueryState query={report} label="the report" minHeight="h-40">
                {() => (
                  <>
                    <VerdictList report={report.data!} />
                    <VariantTable report={report.data!} />
                  </>
                )}
              </QueryState>
            </section>
            <LiveCharts rolloutId={rolloutId} live={live} metrics={report.data?.metrics ?? []} verdicts={report.data?.verdicts ?? []} stagePercent={live ? r.percent : null} />
            <StageHistory rolloutId={rolloutId} report={report.data} live={live} />
            <SamplesPanel rolloutId={rolloutId} live={live} />
            <EvaluationLog rolloutId={rolloutId} live={live} />
          </div>
        );
      }}
    </QueryState>
  );
}

/** The config's key for the breadcrumb, from the configs list (rollouts carry only the config id). */
function ConfigCrumb({ configId }: { configId: string }) {
  const configs = useQuery(configQueries.list());
  const key = configs.data?.find((c) => c.id === configId)?.key;
  return key ? (
    <Link href={`/configs/${key}`} className={`${LINK} font-mono`}>
      {key}
    </Link>
  ) : (
    <span>config</span>
  );
}
