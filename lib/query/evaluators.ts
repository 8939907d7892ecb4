import { queryOptions } from "@tanstack/react-query";
import type { EvaluationLogDto, EvaluatorDto } from "../evaluators/schemas";
import { apiFetch } from "./api";
import { configKeys } from "./configs";
import { LIVE_REFRESH_MS, rolloutKeys } from "./rollouts";
import type { Wire } from "./wire";

export type EvaluatorWire = Wire<EvaluatorDto>;
export type EvaluationLogWire = Wire<EvaluationLogDto>;

const base = (configKey: string) => `/api/admin/configs/${encodeURIComponent(configKey)}/evaluators`;

// A config's evaluators live under the config's detail key (like its scores); a rollout's
// evaluation log under the rollout's, and polls while the rollout is live.
export const evaluatorKeys = {
  list: (configKey: string) => [...configKeys.detail(configKey), "evaluators"] as const,
  log: (rolloutId: string) => [...rolloutKeys.detail(rolloutId), "evaluations"] as const,
};

export const evaluatorQueries = {
  list: (configKey: string) =>
    queryOptions({
      queryKey: evaluatorKeys.list(configKey),
      queryFn: () => apiFetch<{ evaluators: EvaluatorWire[] }>(base(configKey)),
      select: (data) => data.evaluators,
    }),
  log: (rolloutId: string, live: boolean) =>
    queryOptions({
      queryKey: evaluatorKeys.log(rolloutId),
      queryFn: () => apiFetch<EvaluationLogWire>(`/api/admin/rollouts/${encodeURIComponent(rolloutId)}/evaluations?limit=20`),
      refetchInterval: live ? LIVE_REFRESH_MS : false,
    }),
};

export const evaluatorApi = {
  create: (configKey: string, body: unknown) => apiFetch<EvaluatorWire>(base(configKey), { method: "POST", body }),
  update: (configKey: string, id: string, body: unknown) => apiFetch<EvaluatorWire>(`${base(configKey)}/${encodeURIComponent(id)}`, { method: "PATCH", body }),
  remove: (configKey: string, id: string) => apiFetch<EvaluatorWire>(`${base(configKey)}/${encodeURIComponent(id)}`, { method: "DELETE" }),
};
