"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { configApi, configKeys } from "@/lib/query/configs";

/**
 * Saves a change of the config's own settings (PATCH /api/admin/configs/{key}: sample policy,
 * gateway setting), then refetches its detail, whose new `updatedAt` re-keys the section's form.
 */
export function useConfigUpdate(configKey: string, body: Parameters<typeof configApi.update>[1]) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => configApi.update(configKey, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: configKeys.detail(configKey) }),
  });
}
