import { readEnv, type Env } from "../env";
import type { Kept, Span } from "./partition-specs";

// How long each kind of data is kept, and the times that follow from it: pure but for reading the
// settings. Retention drops whole partitions (a UTC day; hour rollups a UTC month) once their end
// is older than the setting, so what is surely kept at `now` starts at the beginning of the
// partition holding `now - days`: ingest refuses events older than `now - days`, and never writes
// to partitions that may already be gone.

const DAY_MS = 86_400_000;

export interface Retention {
  /** Outcomes with their samples and scores (LLM_CANARY_RETENTION_DAYS). */
  outcomes: number;
  /** Minute rollups (LLM_CANARY_MINUTE_ROLLUP_RETENTION_DAYS). */
  minutes: number;
  /** Hour rollups (LLM_CANARY_HOUR_ROLLUP_RETENTION_DAYS): at least the other two. */
  hours: number;
}

export function retentionOf(env: Env): Retention {
  return { outcomes: env.LLM_CANARY_RETENTION_DAYS, minutes: env.LLM_CANARY_MINUTE_ROLLUP_RETENTION_DAYS, hours: env.LLM_CANARY_HOUR_ROLLUP_RETENTION_DAYS };
}

let current: Retention | null = null;

/** The deployment's settings, read once per process. */
export function retentionSettings(): Retention {
  return (current ??= retentionOf(readEnv()));
}

/** The UTC day or month `t` falls in: its start. */
export function spanStart(t: Date, span: Span): Date {
  return span === "day"
    ? new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()))
    : new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
}

/** The end of the span starting at `start` (the next one's start). */
export function spanEnd(start: Date, span: Span): Date {
  return span === "day" ? new Date(start.getTime() + DAY_MS) : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** A partition ending at or before this time holds only data older than the setting: the retention job drops it. */
export function dropBefore(retention: Retention, kept: Kept, now: Date): Date {
  return new Date(now.getTime() - retention[kept] * DAY_MS);
}

/** The oldest `at` ingest accepts: an older event is refused (its day may be gone). */
export function oldestAccepted(retention: Retention, now: Date): Date {
  return dropBefore(retention, "outcomes", now);
}

/**
 * Minute rollups are whole from here on (the start of the oldest UTC day surely kept): ingest and
 * late scores write no older minute, and reports read the hours before it.
 */
export function minutesKeptFrom(retention: Retention, now: Date): Date {
  return spanStart(dropBefore(retention, "minutes", now), "day");
}
