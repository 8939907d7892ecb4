import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { AuditFacetsDto, AuditPageDto } from "../audit/schemas";
import { apiFetch } from "./api";
import type { Wire } from "./wire";

export type AuditEventWire = Wire<AuditPageDto["events"][number]>;
export interface AuditFilter {
  config?: string;
  rollout?: string;
  actor?: string;
  action?: string;
}

export const auditKeys = {
  all: ["audit"] as const,
};

export const auditQueries = {
  page: (filter: AuditFilter) =>
    infiniteQueryOptions({
      queryKey: [...auditKeys.all, "events", filter],
      queryFn: ({ pageParam }) => {
        const query = new URLSearchParams({ limit: "50" });
        for (const [k, v] of Object.entries(filter)) if (v) query.set(k, v);
        if (pageParam) query.set("cursor", pageParam);
        return apiFetch<Wire<AuditPageDto>>(`/api/admin/audit?${query}`);
      },
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.nextCursor,
    }),
  facets: () => queryOptions({ queryKey: [...auditKeys.all, "facets"], queryFn: () => apiFetch<AuditFacetsDto>("/api/admin/audit/facets") }),
};
