import type { ReactNode } from "react";
import { errorMessage } from "@/lib/query/api";

/**
 * What every query-backed region shows: a fixed-height placeholder before the first data, the
 * error when there is no data to show, else the content (a failed refresh keeps the last data;
 * StaleNotice says so).
 */
export function QueryState({ query, children, minHeight = "h-24", label }: { query: { status: "pending" | "error" | "success"; error: unknown; data: unknown }; children: () => ReactNode; minHeight?: string; label: string }) {
  if (query.status === "error" && query.data === undefined) {
    return (
      <div role="alert" className={`flex ${minHeight} items-center rounded-lg border border-red-200 bg-red-50 px-4 text-sm text-red-800`}>
        Could not load {label}: {errorMessage(query.error)}
      </div>
    );
  }
  if (query.status === "pending") {
    return (
      <div aria-busy="true" className={`${minHeight} animate-pulse rounded-lg bg-slate-200/60`}>
        <span className="sr-only">Loading {label}…</span>
      </div>
    );
  }
  return <>{children()}</>;
}

/** A refresh failed but older data is still shown: say so without hiding it. */
export function StaleNotice({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="status" className="text-xs text-amber-800">
      Showing the last data; refreshing failed: {errorMessage(error)}
    </p>
  );
}
