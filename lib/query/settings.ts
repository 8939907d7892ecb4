import { queryOptions } from "@tanstack/react-query";
import type { ChannelDto, DeliveryDto } from "../alerts/schemas";
import type { ApiKeyDto, UserDto } from "../auth/schemas";
import type { ProviderDto, ProviderTestDto } from "../providers/schemas";
import { apiFetch } from "./api";
import type { Wire } from "./wire";

export type UserWire = Wire<UserDto>;
export type ApiKeyWire = Wire<ApiKeyDto>;
export type ChannelWire = Wire<ChannelDto>;
export type DeliveryWire = Wire<DeliveryDto>;
export type ProviderWire = Wire<ProviderDto>;

export const settingsKeys = {
  users: ["users"] as const,
  apiKeys: ["api-keys"] as const,
  channels: ["alert-channels"] as const,
  deliveries: (channelId: string) => [...settingsKeys.channels, channelId, "deliveries"] as const,
  providers: ["providers"] as const,
};

export const settingsQueries = {
  users: () => queryOptions({ queryKey: settingsKeys.users, queryFn: () => apiFetch<{ users: UserWire[] }>("/api/admin/users"), select: (d) => d.users }),
  apiKeys: () => queryOptions({ queryKey: settingsKeys.apiKeys, queryFn: () => apiFetch<{ apiKeys: ApiKeyWire[] }>("/api/admin/api-keys"), select: (d) => d.apiKeys }),
  channels: () => queryOptions({ queryKey: settingsKeys.channels, queryFn: () => apiFetch<{ channels: ChannelWire[] }>("/api/admin/alert-channels"), select: (d) => d.channels }),
  providers: () => queryOptions({ queryKey: settingsKeys.providers, queryFn: () => apiFetch<{ providers: ProviderWire[] }>("/api/admin/providers"), select: (d) => d.providers }),
  deliveries: (channelId: string) =>
    queryOptions({
      queryKey: settingsKeys.deliveries(channelId),
      queryFn: () => apiFetch<{ deliveries: DeliveryWire[] }>(`/api/admin/alert-channels/${encodeURIComponent(channelId)}/deliveries`),
      select: (d) => d.deliveries,
    }),
};

export const settingsApi = {
  createUser: (body: unknown) => apiFetch<{ user: UserWire; generatedPassword: string | null }>("/api/admin/users", { method: "POST", body }),
  updateUser: (id: string, body: unknown) => apiFetch<UserWire>(`/api/admin/users/${encodeURIComponent(id)}`, { method: "PATCH", body }),
  createApiKey: (body: unknown) => apiFetch<{ key: string; apiKey: ApiKeyWire }>("/api/admin/api-keys", { method: "POST", body }),
  revokeApiKey: (id: string) => apiFetch<ApiKeyWire>(`/api/admin/api-keys/${encodeURIComponent(id)}/revoke`, { method: "POST" }),
  createChannel: (body: unknown) => apiFetch<ChannelWire>("/api/admin/alert-channels", { method: "POST", body }),
  updateChannel: (id: string, body: unknown) => apiFetch<ChannelWire>(`/api/admin/alert-channels/${encodeURIComponent(id)}`, { method: "PATCH", body }),
  testChannel: (id: string) => apiFetch<DeliveryWire>(`/api/admin/alert-channels/${encodeURIComponent(id)}/test`, { method: "POST" }),
  createProvider: (body: unknown) => apiFetch<ProviderWire>("/api/admin/providers", { method: "POST", body }),
  updateProvider: (id: string, body: unknown) => apiFetch<ProviderWire>(`/api/admin/providers/${encodeURIComponent(id)}`, { method: "PATCH", body }),
  deleteProvider: (id: string) => apiFetch<ProviderWire>(`/api/admin/providers/${encodeURIComponent(id)}`, { method: "DELETE" }),
  testProvider: (id: string) => apiFetch<ProviderTestDto>(`/api/admin/providers/${encodeURIComponent(id)}/test`, { method: "POST" }),
};
