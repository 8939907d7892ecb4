"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * A time in the reader's own time zone and locale. The server does not know the browser's zone,
 * so the server render shows the UTC ISO time and the browser replaces it after hydration.
 */
export function Time({ value }: { value: string | Date }) {
  const date = typeof value === "string" ? new Date(value) : value;
  const onClient = useSyncExternalStore(subscribe, () => true, () => false);
  const text = onClient ? date.toLocaleString() : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return (
    <time dateTime={date.toISOString()} title={onClient ? date.toLocaleString() : date.toISOString()}>
      {text}
    </time>
  );
}

export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}
