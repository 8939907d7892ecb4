import { queryOptions } from "@tanstack/react-query";
import type { ConfigDetailDto, ConfigDto, ConfigListItemDto, RoutePreviewDto } from "../release/config-schemas";
import type { RolloutDto } from "../release/rollout-schemas";
import type { VersionDiffDto, VersionDto } from "../release/version-schemas";
import { apiFetch } from "./api";
import type { Wire } from "./wire";

export type ConfigWire = Wire<ConfigDto>;
export type ConfigListItemWire = Wire<ConfigListItemDto>;
export type ConfigDetailWire = Wire<ConfigDetailDto>;
export type VersionWire = Wire<VersionDto>;
export type VersionDiffWire = Wire<VersionDiffDto>;
export type RolloutWire = Wire<RolloutDto>;
export type RoutePreviewWire = Wire<RoutePreviewDto>;

const base = (key: string) => `/api/admin/configs/${encodeURIComponent(key)}`;

// Query keys for configs and everything under one config; invalidating configKeys.detail(key)
// refreshes the config, its versions, diffs and rollouts together.
export const configKeys = {
  all: ["configs"] as const,
  list: () => [...configKeys.all, "list"] as const,
  detail: (key: string) => [...configKeys.all, "detail", key] as const,
};

export const configQueries = {
  /** The provider connections a version may name: ids and names only. */
  providerNames: () =>
    queryOptions({
      queryKey: ["provider-names"],
      queryFn: () => apiFetch<{ providers: { id: string; name: string }[] }>("/api/admin/provider-names"),
      select: (data) => data.providers,
    }),
  list: () =>
    queryOptions({
      queryKey: configKeys.list(),
      queryFn: () => apiFetch<{ configs: ConfigListItemWire[] }>("/api/admin/configs"),
      select: (data) => data.configs,
    }),
  detail: (key: string) =>
    queryOptions({ queryKey: [...configKeys.detail(key), "config"], queryFn: () => apiFetch<ConfigDetailWire>(base(key)) }),
  versions: (key: string) =>
    queryOptions({
      queryKey: [...configKeys.detail(key), "versions"],
      queryFn: () => apiFetch<{ versions: VersionWire[] }>(`${base(key)}/versions`),
      select: (data) => data.versions,
    }),
  version: (key: string, id: string) =>
    queryOptions({
      queryKey: [...configKeys.detail(key), "versions", id],
      queryFn: () => apiFetch<VersionWire>(`${base(key)}/versions/${encodeURIComponent(id)}`),
      staleTime: Infinity, // versions are immutable
    }),
  diff: (key: string, from: string, to: string) =>
    queryOptions({
      queryKey: [...configKeys.detail(key), "diff", from, to],
      queryFn: () => apiFetch<VersionDiffWire>(`${base(key)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
      staleTime: Infinity,
    }),
  routePreview: (key: string, userId: string) =>
    queryOptions({
      queryKey: [...configKeys.detail(key), "route-preview", userId],
      queryFn: () => apiFetch<RoutePreviewWire>(`${base(key)}/route-preview?userId=${encodeURIComponent(userId)}`),
    }),
  rollouts: (key: string) =>
    queryOptions({
      queryKey: [...configKeys.detail(key), "rollouts"],
      queryFn: () => apiFetch<{ rollouts: RolloutWire[] }>(`${base(key)}/rollouts`),
      select: (data) => data.rollouts,
    }),
};

export const configApi = {
  create: (body: unknown) => apiFetch<ConfigWire>("/api/admin/configs", { method: "POST", body }),
  update: (key: string, body: unknown) => apiFetch<ConfigWire>(base(key), { method: "PATCH", body }),
  createVersion: (key: string, body: unknown) => apiFetch<VersionWire>(`${base(key)}/versions`, { method: "POST", body }),
  startRollout: (key: string, body: unknown) => apiFetch<RolloutWire>(`${base(key)}/rollouts`, { method: "POST", body }),
};
