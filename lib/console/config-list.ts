// Filtering and sorting the dashboard's config list. Pure, so the table and its tests agree.

export interface ConfigRow {
  key: string;
  name: string;
  updatedAt: string;
  canaryPercent: number;
  activeRollout: { status: string; stageStartedAt: string; pausedAt: string | null } | null;
  lastEndedRollout: { status: string; endedAt: string | null } | null;
}

export const CONFIG_SORTS = ["name", "updated", "canary", "in-stage"] as const;
export type ConfigSort = (typeof CONFIG_SORTS)[number];
export const ROLLOUT_FILTERS = ["all", "active", "running", "paused", "none", "recently-rolled-back"] as const;
export type RolloutFilter = (typeof ROLLOUT_FILTERS)[number];

/** How long a rollback counts as recent for the "recently rolled back" filter. */
export const RECENT_ROLLBACK_HOURS = 24;

/**
 * The last ended rollout the dashboard shows for a config: only while no other rollout is active
 * (the next one takes its place), so the filter finds exactly the rows that show a rollback.
 */
export function lastOutcome<T extends ConfigRow>(row: T): T["lastEndedRollout"] {
  return row.activeRollout ? null : row.lastEndedRollout;
}

/** `now`: epoch milliseconds, for "recently rolled back". */
export function filterConfigs<T extends ConfigRow>(rows: readonly T[], text: string, rollout: RolloutFilter, now: number): T[] {
  const needle = text.trim().toLowerCase();
  return rows.filter((row) => {
    if (needle && !row.key.includes(needle) && !row.name.toLowerCase().includes(needle)) return false;
    const status = row.activeRollout?.status;
    switch (rollout) {
      case "all":
        return true;
      case "active":
        return status !== undefined;
      case "none":
        return status === undefined;
      case "recently-rolled-back":
        return rolledBackSince(lastOutcome(row), now - RECENT_ROLLBACK_HOURS * 3_600_000);
      default:
        return status === rollout;
    }
  });
}

function rolledBackSince(last: ConfigRow["lastEndedRollout"], since: number): boolean {
  return last?.status === "rolled_back" && last.endedAt !== null && Date.parse(last.endedAt) >= since;
}

/** Name ascending; the others put the most interesting first (newest, widest canary, longest in stage). */
export function sortConfigs<T extends ConfigRow>(rows: readonly T[], sort: ConfigSort): T[] {
  const byName = (a: T, b: T) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key);
  const compare: Record<ConfigSort, (a: T, b: T) => number> = {
    name: byName,
    updated: (a, b) => b.updatedAt.localeCompare(a.updatedAt) || byName(a, b),
    canary: (a, b) => b.canaryPercent - a.canaryPercent || byName(a, b),
    // Configs without a rollout go last; among the others the oldest stage start first.
    "in-stage": (a, b) => stageStart(a) - stageStart(b) || byName(a, b),
  };
  return [...rows].sort(compare[sort]);
}

function stageStart(row: ConfigRow): number {
  return row.activeRollout ? Date.parse(row.activeRollout.stageStartedAt) : Number.POSITIVE_INFINITY;
}

/** Seconds in the current stage as the controller counts them: the clock stands still while paused. */
export function secondsInStage(rollout: { stageStartedAt: string; pausedAt: string | null }, now: number): number {
  const end = rollout.pausedAt ? Date.parse(rollout.pausedAt) : now;
  return Math.max(0, (end - Date.parse(rollout.stageStartedAt)) / 1000);
}
