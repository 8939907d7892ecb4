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
import { EventChanges } from "./event-changes";

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
              <DataTable narrow="cards" minWidth="min-w-[760px]" caption="Audit events, newest first" columns={["When", "Who", "Action", "On", "Reason and change"]}>
                {rows.map((e) => (
                  <AuditRow key={e.id} event={e} />
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

function AuditRow({ event: e }: { event: AuditEventWire }) {
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
        <EntityName event={e} />
      </td>
      <td className="max-w-md px-4 py-2">
        {e.reason && <p className="mb-1">{e.reason}</p>}
        <EventChanges before={e.before} after={e.after} />
      </td>
    </tr>
  );
}

/**
 * What the event is about, by the name the server gave it (a config's key, a version's label, a
 * rollout's config and canary…), linked to its page where it has one, and the config it belongs to.
 * The raw id only when there is no name (an entity that is gone).
 */
function EntityName({ event: e }: { event: AuditEventWire }) {
  const href = entityHref(e);
  const name = e.entityLabel ?? <span className="font-mono text-xs">{e.entityId}</span>;
  // A rollout's name already holds its config's key, a config's is that key.
  const showConfig = e.configKey !== null && e.entityType !== "config" && e.entityType !== "rollout";
  return (
    <div className="flex flex-col">
      <span className="text-xs text-slate-600">{e.entityType.replace("_", " ")}</span>
      {href ? (
        <Link href={href} className={`${LINK} break-words`}>
          {name}
        </Link>
      ) : (
        <span className="break-words">{name}</span>
      )}
      {showConfig && (
        <Link href={`/configs/${e.configKey}`} className={`${LINK} font-mono text-xs`} aria-label={`config ${e.configKey}`}>
          {e.configKey}
        </Link>
      )}
    </div>
  );
}

function entityHref(e: AuditEventWire): string | null {
  if (e.entityType === "rollout") return `/rollouts/${e.entityId}`;
  if (e.entityType === "config" && e.configKey) return `/configs/${e.configKey}`;
  if (e.entityType === "version" && e.configKey) return `/configs/${e.configKey}/versions/${e.entityId}`;
  return null;
}
