"use client";

import { DataTable } from "@/components/ui/data-table";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { INPUT_CLASS } from "@/components/ui/field";
import { LabeledSelect } from "@/components/ui/labeled-select";
import { QueryState } from "@/components/ui/query-state";
import { LINK } from "@/components/ui/styles";
import { Time } from "@/components/ui/time";
import { auditQueries, type AuditEventWire, type AuditFilter } from "@/lib/query/audit";
import { configQueries } from "@/lib/query/configs";

const FILTER_KEYS = ["config", "rollout", "actor", "action"] as const;

/** Every change, newest first; filters live in the URL so a filtered view can be shared. */
export function AuditLog() {
  const params = useSearchParams();
  const filter: AuditFilter = Object.fromEntries(FILTER_KEYS.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : [])));
  // The table keeps showing the last result while a new filter loads (no flash to a skeleton).
  const events = useInfiniteQuery({ ...auditQueries.page(filter), placeholderData: keepPreviousData });
  const facets = useQuery(auditQueries.facets());
  const configs = useQuery(configQueries.list());
  const [rolloutText, setRolloutText] = useState(filter.rollout ?? "");
  const apply = (patch: Partial<AuditFilter>) => {
    const next = { ...filter, ...patch };
    const query = new URLSearchParams(Object.entries(next).filter((e): e is [string, string] => Boolean(e[1])));
    // Shallow: the URL (and useSearchParams) change without asking the server for the page again.
    window.history.replaceState(null, "", `/audit${query.size ? `?${query}` : ""}`);
  };
  const configKeyById = new Map((configs.data ?? []).map((c) => [c.id, c.key]));
  const actions = facets.data?.actions ?? [];
  const actionPrefixes = [...new Set(actions.map((a) => `${a.split(".")[0]}.*`))];
  return (
    <section aria-labelledby="audit-heading" className="flex flex-col gap-4">
      <h1 id="audit-heading" className="text-2xl font-semibold">
        Audit log
      </h1>
      <form
        role="search"
        aria-label="Filter the audit log"
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          apply({ rollout: rolloutText.trim() || undefined });
        }}
      >
        <LabeledSelect label="Config" value={filter.config ?? ""} onChange={(config) => apply({ config: config || undefined })} options={choices("all configs", (configs.data ?? []).map((c) => c.key))} />
        <LabeledSelect label="Actor" value={filter.actor ?? ""} onChange={(actor) => apply({ actor: actor || undefined })} options={choices("anyone", facets.data?.actors ?? [])} />
        <LabeledSelect label="Action" value={filter.action ?? ""} onChange={(action) => apply({ action: action || undefined })} options={choices("any action", [...actionPrefixes, ...actions])} />
        <label className="flex flex-col gap-1 text-sm font-medium">
          Rollout id
          <input value={rolloutText} onChange={(e) => setRolloutText(e.target.value)} onBlur={() => apply({ rollout: rolloutText.trim() || undefined })} placeholder="ro_… then Enter" className={`${INPUT_CLASS} font-mono`} />
        </label>
        {Object.values(filter).some(Boolean) && (
          <Button
            onClick={() => {
              setRolloutText("");
              apply({ config: undefined, actor: undefined, action: undefined, rollout: undefined });
            }}
          >
            Clear filters
          </Button>
        )}
      </form>
      <QueryState query={events} label="the audit log" minHeight="h-64">
        {() => {
          const rows = events.data!.pages.flatMap((p) => p.events);
          if (rows.length === 0) return <p className="text-slate-700">No events match.</p>;
          return (
            <>
              <DataTable minWidth="min-w-[760px]" columns={["When", "Who", "Action", "On", "Reason and change"]}>
                {rows.map((e) => (
                  <AuditRow key={e.id} event={e} configKey={e.configId ? configKeyById.get(e.configId) : undefined} />
                ))}
              </DataTable>
              {events.hasNextPage && (
                <Button onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage} className="self-center">
                  {events.isFetchingNextPage ? "Loading…" : "Older events"}
                </Button>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

/** A filter's options: "" (no filter) first, then each value as its own label. */
function choices(anyLabel: string, values: readonly string[]) {
  return [{ value: "", label: anyLabel }, ...values.map((value) => ({ value, label: value }))];
}

function AuditRow({ event: e, configKey }: { event: AuditEventWire; configKey: string | undefined }) {
  return (
    <tr className="border-t border-slate-200 align-top">
      <td className="whitespace-nowrap px-4 py-2">
        <Time value={e.at} />
      </td>
      <td className="px-4 py-2">
        {e.actorLabel} <span className="text-xs text-slate-600">({e.actorType.replace("_", " ")})</span>
      </td>
      <td className="px-4 py-2 font-mono text-xs">{e.action}</td>
      <td className="px-4 py-2">
        {e.entityType === "rollout" ? (
          <Link href={`/rollouts/${e.entityId}`} className={`${LINK} font-mono text-xs`}>
            {e.entityId}
          </Link>
        ) : (
          <span className="font-mono text-xs">{e.entityId}</span>
        )}
        {configKey && (
          <div>
            <Link href={`/configs/${configKey}`} className={`${LINK} font-mono text-xs`}>
              {configKey}
            </Link>
          </div>
        )}
      </td>
      <td className="max-w-md px-4 py-2">
        {e.reason && <p className="mb-1">{e.reason}</p>}
        {(e.before != null || e.after != null) && (
          <details>
            <summary className="cursor-pointer text-xs text-slate-700">Before / after</summary>
            <div className="mt-1 grid grid-cols-1 gap-2 lg:grid-cols-2">
              <pre className="max-h-64 overflow-auto rounded bg-slate-50 p-2 text-xs" aria-label="Before">{e.before == null ? "—" : JSON.stringify(e.before, null, 2)}</pre>
              <pre className="max-h-64 overflow-auto rounded bg-slate-50 p-2 text-xs" aria-label="After">{e.after == null ? "—" : JSON.stringify(e.after, null, 2)}</pre>
            </div>
          </details>
        )}
      </td>
    </tr>
  );
}
