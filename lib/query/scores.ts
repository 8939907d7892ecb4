import { queryOptions } from "@tanstack/react-query";
import type { ScoreDefinitionDto } from "../release/score-schemas";
import { apiFetch } from "./api";
import { configKeys } from "./configs";
import type { Wire } from "./wire";

export type ScoreWire = Wire<ScoreDefinitionDto>;

const base = (configKey: string) => `/api/admin/configs/${encodeURIComponent(configKey)}/scores`;

// A config's custom scores live under the config's detail key: invalidating the config refreshes
// them too, and a change to a score refreshes only the scores.
export const scoreKeys = {
  list: (configKey: string) => [...configKeys.detail(configKey), "scores"] as const,
};

export const scoreQueries = {
  list: (configKey: string) =>
    queryOptions({
      queryKey: scoreKeys.list(configKey),
      queryFn: () => apiFetch<{ scores: ScoreWire[] }>(base(configKey)),
      select: (data) => data.scores,
    }),
};

export const scoreApi = {
  create: (configKey: string, body: unknown) => apiFetch<ScoreWire>(base(configKey), { method: "POST", body }),
  update: (configKey: string, scoreKey: string, body: unknown) =>
    apiFetch<ScoreWire>(`${base(configKey)}/${encodeURIComponent(scoreKey)}`, { method: "PATCH", body }),
  remove: (configKey: string, scoreKey: string) => apiFetch<ScoreWire>(`${base(configKey)}/${encodeURIComponent(scoreKey)}`, { method: "DELETE" }),
};
