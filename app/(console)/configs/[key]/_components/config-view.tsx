"use client";

import { DataTable } from "@/components/ui/data-table";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { StatusBadge } from "@/components/rollout/badges";
import { useCan } from "@/components/providers";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { LINK, LINK_BUTTON } from "@/components/ui/styles";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Time } from "@/components/ui/time";
import { configQueries, type ConfigDetailWire, type VersionWire } from "@/lib/query/configs";
import { LIVE_REFRESH_MS } from "@/lib/query/rollouts";
import { GatewaySection } from "./gateway-section";
import { RoutePreview } from "./route-preview";
import { SamplesSection } from "./samples-section";
import { EvaluatorsSection } from "./evaluators-section";
import { ScoresSection } from "./scores-section";
import { StartCanaryDialog } from "./start-canary-dialog";

export function ConfigView({ configKey }: { configKey: string }) {
  // While a rollout runs the header follows its stage; otherwise nothing here changes by itself.
  const detail = useQuery({ ...configQueries.detail(configKey), refetchInterval: (q) => (q.state.data?.activeRollout ? LIVE_REFRESH_MS : false) });
  const versions = useQuery(configQueries.versions(configKey));
  const rollouts = useQuery(configQueries.rollouts(configKey));
  return (
    <div className="flex flex-col gap-8">
      <Breadcrumb trail={[<span key="key" className="font-mono">{configKey}</span>]} />
      <QueryState query={detail} label="the config" minHeight="h-28">
        {() => <ConfigHeader detail={detail.data!} versions={versions.data} />}
      </QueryState>
      <section aria-labelledby="versions-heading">
        <h2 id="versions-heading" className="mb-3 text-lg font-semibold">
          Versions
        </h2>
        <QueryState query={versions} label="versions" minHeight="h-40">
          {() => <VersionTable configKey={configKey} versions={versions.data!} detail={detail.data} />}
        </QueryState>
      </section>
      <ScoresSection configKey={configKey} />
      <EvaluatorsSection configKey={configKey} />
      <RoutePreview configKey={configKey} />
      {detail.data && <SamplesSection key={String(detail.data.config.updatedAt)} config={detail.data.config} />}
      {detail.data && <GatewaySection key={String(detail.data.config.updatedAt)} config={detail.data.config} />}
      <section aria-labelledby="rollouts-heading">
        <h2 id="rollouts-heading" className="mb-3 text-lg font-semibold">
          Rollouts
        </h2>
        <QueryState query={rollouts} label="rollouts" minHeight="h-24">
          {() =>
            rollouts.data!.length === 0 ? (
              <p className="text-sm text-slate-700">No rollouts yet.</p>
            ) : (
              <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
                {rollouts.data!.map((r) => (
                  <li key={r.id} className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm">
                    <Link href={`/rollouts/${r.id}`} className={`${LINK} font-medium`}>
                      {r.baseVersion.label} → {r.canaryVersion.label}
                    </Link>
                    <StatusBadge status={r.status} awaitingApproval={r.awaitingApproval} />
                    <span className="text-slate-700">
                      started <Time value={r.createdAt} /> by {r.startedBy}
                    </span>
                    {r.endReason && <span className="text-slate-700">— {r.endReason}</span>}
                  </li>
                ))}
              </ul>
            )
          }
        </QueryState>
      </section>
    </div>
  );
}

function ConfigHeader({ detail, versions }: { detail: ConfigDetailWire; versions: VersionWire[] | undefined }) {
  const { config, activeRollout, stableVersion } = detail;
  const canWrite = useCan("configs:write");
  const canStart = useCan("rollouts:start");
  const canPlay = useCan("playground:run");
  const [starting, setStarting] = useState(false);
  const candidates = (versions ?? []).filter((v) => v.id !== stableVersion?.id);
  return (
    <header className="flex flex-wrap items-start justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold">{config.name}</h1>
        <p className="font-mono text-sm text-slate-600">{config.key}</p>
        {config.description && <p className="mt-2 max-w-2xl text-slate-700">{config.description}</p>}
        <p className="mt-2 text-sm text-slate-800">
          Stable: <strong>{stableVersion?.label ?? "none yet"}</strong>
          {activeRollout && (
            <>
              {" "}
              · Canary{" "}
              <Link href={`/rollouts/${activeRollout.id}`} className={`${LINK} font-medium`}>
                {activeRollout.canaryVersion.label} at {activeRollout.percent}%
              </Link>{" "}
              <StatusBadge status={activeRollout.status} awaitingApproval={activeRollout.awaitingApproval} />
            </>
          )}
        </p>
      </div>
      <div className="flex flex-wrap gap-2">
        {canPlay && stableVersion && (
          <Link href={`/configs/${config.key}/playground`} className={LINK_BUTTON}>
            Playground
          </Link>
        )}
        {canWrite && (
          <Link href={`/configs/${config.key}/versions/new${stableVersion ? `?from=${stableVersion.id}` : ""}`} className={LINK_BUTTON}>
            {stableVersion ? "New version" : "Write the first version"}
          </Link>
        )}
        {canStart && stableVersion && !activeRollout && (
          <Button variant="primary" onClick={() => setStarting(true)} disabled={candidates.length === 0} title={!versions ? "Loading versions…" : candidates.length === 0 ? "Save a version that differs from stable first" : undefined}>
            Start canary
          </Button>
        )}
      </div>
      {starting && <StartCanaryDialog detail={detail} candidates={candidates} onClose={() => setStarting(false)} />}
    </header>
  );
}

function VersionTable({ configKey, versions, detail }: { configKey: string; versions: VersionWire[]; detail: ConfigDetailWire | undefined }) {
  const canWrite = useCan("configs:write");
  if (versions.length === 0) {
    return <p className="text-sm text-slate-700">No versions yet. The first version you save becomes the stable version.</p>;
  }
  const stableId = detail?.stableVersion?.id;
  const canaryId = detail?.activeRollout?.canaryVersion.id;
  return (
    <DataTable minWidth="min-w-[720px]" columns={["Version", "Model", "Author", "Created", "Description", <span key="actions" className="sr-only">Actions</span>]}>
      {versions.map((v) => (
        <tr key={v.id} className="border-t border-slate-200 align-top">
          <td className="px-4 py-3">
            <span className="flex flex-wrap items-center gap-1.5">
              <Link href={`/configs/${configKey}/versions/${v.id}`} className={`${LINK} font-mono font-medium`}>
                {v.label}
              </Link>
              {v.id === stableId && <Badge tone="green">stable</Badge>}
              {v.id === canaryId && <Badge tone="blue">canary</Badge>}
            </span>
          </td>
          <td className="px-4 py-3 font-mono text-xs">{v.model}</td>
          <td className="px-4 py-3">{v.authorLabel}</td>
          <td className="px-4 py-3 whitespace-nowrap">
            <Time value={v.createdAt} />
          </td>
          <td className="max-w-xs px-4 py-3 text-slate-700">{v.description || <span className="text-slate-500">—</span>}</td>
          <td className="px-4 py-3 whitespace-nowrap">
            <span className="flex gap-3">
              {v.id !== stableId && stableId && (
                <Link href={`/configs/${configKey}/versions/${v.id}`} className={LINK} aria-label={`Diff ${v.label} against stable`}>
                  Diff
                </Link>
              )}
              {canWrite && (
                <Link href={`/configs/${configKey}/versions/new?from=${v.id}`} className={LINK} aria-label={`New version from ${v.label}`}>
                  Edit as new
                </Link>
              )}
            </span>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
