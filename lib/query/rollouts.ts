import { queryOptions, type QueryClient } from "@tanstack/react-query";
import type { RolloutReportDto } from "../analysis/report-schemas";
import type { ReportSnapshotDto } from "../analysis/rollout-actions";
import type { SamplesPageDto } from "../analysis/samples-service";
import type { SeriesDto } from "../analysis/series";
import { isActive, type RolloutAction, type RolloutStatus } from "../release/transitions";
import type { z } from "zod";
import { apiFetch } from "./api";
import { auditKeys } from "./audit";
import { configKeys, type RolloutWire } from "./configs";
import type { Wire } from "./wire";

export type ReportWire = Wire<RolloutReportDto>;
export type SeriesWire = Wire<SeriesDto>;
export type SamplesPageWire = Wire<SamplesPageDto>;
export type ReportSnapshotWire = Wire<z.infer<typeof ReportSnapshotDto>>;

/** How often live views refresh while a rollout is running or paused. */
export const LIVE_REFRESH_MS = 5_000;

const base = (id: string) => `/api/admin/rollouts/${encodeURIComponent(id)}`;
const isLive = (status: RolloutStatus | undefined) => status !== undefined && isActive(status);

export const rolloutKeys = {
  all: ["rollouts"] as const,
  detail: (id: string) => [...rolloutKeys.all, id] as const,
};

// Only these live views poll, and only while the rollout is active.
export const rolloutQueries = {
  detail: (id: string) =>
    queryOptions({
      queryKey: [...rolloutKeys.detail(id), "rollout"],
      queryFn: () => apiFetch<RolloutWire>(base(id)),
      refetchInterval: (query) => (isLive(query.state.data?.status) ? LIVE_REFRESH_MS : false),
    }),
  report: (id: string) =>
    queryOptions({
      queryKey: [...rolloutKeys.detail(id), "report"],
      queryFn: () => apiFetch<ReportWire>(`${base(id)}/report`),
      refetchInterval: (query) => (isLive(query.state.data?.status) ? LIVE_REFRESH_MS : false),
    }),
  series: (id: string, live: boolean) =>
    queryOptions({
      queryKey: [...rolloutKeys.detail(id), "series"],
      queryFn: () => apiFetch<SeriesWire>(`${base(id)}/series`),
      refetchInterval: live ? LIVE_REFRESH_MS : false,
    }),
  samples: (id: string, filter: { variant: "canary" | "stable"; maxRating?: number; errors?: boolean }, live: boolean) =>
    queryOptions({
      queryKey: [...rolloutKeys.detail(id), "samples", filter],
      queryFn: () => {
        const query = new URLSearchParams({ variant: filter.variant, limit: "20" });
        if (filter.maxRating !== undefined) query.set("maxRating", String(filter.maxRating));
        if (filter.errors) query.set("errors", "true");
        return apiFetch<SamplesPageWire>(`${base(id)}/samples?${query}`);
      },
      refetchInterval: live ? LIVE_REFRESH_MS * 3 : false,
    }),
  reports: (id: string, live: boolean) =>
    queryOptions({
      queryKey: [...rolloutKeys.detail(id), "reports"],
      queryFn: () => apiFetch<{ reports: ReportSnapshotWire[] }>(`${base(id)}/reports`),
      select: (data) => data.reports,
      refetchInterval: live ? LIVE_REFRESH_MS * 2 : false,
    }),
};

export const rolloutApi = {
  act: (id: string, action: RolloutAction, body: { reason?: string; revision?: number }) =>
    apiFetch<RolloutWire>(`${base(id)}/${action}`, { method: "POST", body }),
};

/**
 * Everything a rollout action changes, brought up to date: the rollout itself from the action's
 * answer at once (`next`; none after a refused action), then its report, kept reports, series and
 * samples (all under rolloutKeys.detail), its audit events (the banner names who rolled it back)
 * and the configs (their stable, canary and last outcome), refetched. The rollout page stops
 * polling once the rollout has ended, so what the action changed arrives only through this.
 */
export async function refreshAfterAction(client: QueryClient, rolloutId: string, next?: RolloutWire): Promise<void> {
  if (next) client.setQueryData(rolloutQueries.detail(rolloutId).queryKey, next);
  await Promise.all([
    client.invalidateQueries({ queryKey: rolloutKeys.detail(rolloutId) }),
    client.invalidateQueries({ queryKey: auditKeys.all }),
    client.invalidateQueries({ queryKey: configKeys.all }),
  ]);
}
