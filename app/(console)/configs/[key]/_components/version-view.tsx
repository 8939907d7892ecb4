"use client";

import "@/components/zod-in-browser"; // first: before the schemas these pages import are built
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useCan } from "@/components/providers";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { INPUT_CLASS } from "@/components/ui/field";
import { QueryState } from "@/components/ui/query-state";
import { Time } from "@/components/ui/time";
import { configQueries } from "@/lib/query/configs";
import { LINK_BUTTON } from "@/components/ui/styles";
import { Breadcrumb, configStep } from "@/components/ui/breadcrumb";
import { StartCanaryDialog } from "./start-canary-dialog";
import { VersionDiffView } from "./version-diff-view";
import { VersionStructure } from "./version-structure";

export function VersionView({ configKey, versionId }: { configKey: string; versionId: string }) {
  const detail = useQuery(configQueries.detail(configKey));
  const versions = useQuery(configQueries.versions(configKey));
  const version = useQuery(configQueries.version(configKey, versionId));
  const stableId = detail.data?.stableVersion?.id;
  const [compareWith, setCompareWith] = useState<string | null>(null);
  // Against stable by default; the stable version itself is compared with the one it came from.
  const against = compareWith ?? (versionId === stableId ? version.data?.parentVersionId : stableId) ?? null;
  const canWrite = useCan("configs:write");
  const canStart = useCan("rollouts:start");
  const [starting, setStarting] = useState(false);
  const canStartThis = canStart && detail.data && stableId && stableId !== versionId && !detail.data.activeRollout;
  return (
    <div className="flex flex-col gap-6">
      <Breadcrumb trail={[configStep(configKey), version.data?.label ?? "version"]} />
      <QueryState query={version} label="the version" minHeight="h-32">
        {() => {
          const v = version.data!;
          return (
            <>
              <header className="flex flex-wrap items-start justify-between gap-4">
                <div>
                  <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold">
                    <span className="font-mono">{v.label}</span>
                    {v.id === stableId && <Badge tone="green">stable</Badge>}
                    {v.id === detail.data?.activeRollout?.canaryVersion.id && <Badge tone="blue">canary</Badge>}
                  </h1>
                  <p className="text-sm text-slate-700">
                    by {v.authorLabel}, <Time value={v.createdAt} />
                  </p>
                  {v.description && <p className="mt-2 max-w-2xl text-slate-800">{v.description}</p>}
                </div>
                <div className="flex flex-wrap gap-2">
                  {canWrite && (
                    <Link href={`/configs/${configKey}/versions/new?from=${v.id}`} className={LINK_BUTTON}>
                      Edit as new version
                    </Link>
                  )}
                  {canStartThis && (
                    <Button variant="primary" onClick={() => setStarting(true)}>
                      Start canary with {v.label}
                    </Button>
                  )}
                </div>
              </header>
              <section aria-labelledby="diff-heading" className="flex flex-col gap-3">
                <div className="flex flex-wrap items-end justify-between gap-3">
                  <h2 id="diff-heading" className="text-lg font-semibold">
                    Changes
                  </h2>
                  {versions.data && versions.data.length > 1 && (
                    <label className="flex items-center gap-2 text-sm font-medium">
                      Compare with
                      <select value={against ?? ""} onChange={(e) => setCompareWith(e.target.value)} className={INPUT_CLASS}>
                        {!against && <option value="">choose a version</option>}
                        {versions.data
                          .filter((o) => o.id !== v.id)
                          .map((o) => (
                            <option key={o.id} value={o.id}>
                              {o.label}
                              {o.id === stableId ? " (stable)" : ""}
                            </option>
                          ))}
                      </select>
                    </label>
                  )}
                </div>
                {against ? (
                  <VersionDiffView configKey={configKey} from={against} to={v.id} />
                ) : (
                  <p className="text-sm text-slate-700">{versions.data && versions.data.length > 1 ? "Choose a version to compare with." : "The only version: nothing to compare with yet."}</p>
                )}
              </section>
              <section aria-labelledby="settings-heading" className="flex flex-col gap-3">
                <h2 id="settings-heading" className="text-lg font-semibold">
                  Settings
                </h2>
                <VersionStructure version={v} />
              </section>
              {starting && detail.data && (
                <StartCanaryDialog detail={detail.data} candidates={(versions.data ?? []).filter((o) => o.id !== stableId)} initialVersionId={v.id} onClose={() => setStarting(false)} />
              )}
            </>
          );
        }}
      </QueryState>
    </div>
  );
}
