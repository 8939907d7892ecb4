import { queryOptions } from "@tanstack/react-query";
import type { ModelPriceDto } from "../pricing/schemas";
import { apiFetch } from "./api";
import type { Wire } from "./wire";

export type ModelPriceWire = Wire<ModelPriceDto>;

export const priceKeys = { all: ["model-prices"] as const };

export const priceQueries = {
  all: () => queryOptions({ queryKey: priceKeys.all, queryFn: () => apiFetch<{ prices: ModelPriceWire[] }>("/api/admin/model-prices"), select: (d) => d.prices }),
};

/** A model name may hold slashes: each segment is encoded, the slashes kept (the route is a catch-all). */
const pricePath = (model: string) => `/api/admin/model-prices/${model.split("/").map(encodeURIComponent).join("/")}`;

export const priceApi = {
  set: (body: unknown) => apiFetch<ModelPriceWire>("/api/admin/model-prices", { method: "POST", body }),
  remove: (model: string) => apiFetch<ModelPriceWire>(pricePath(model), { method: "DELETE" }),
};
