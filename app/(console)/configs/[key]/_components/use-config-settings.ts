"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { configApi, configKeys } from "@/lib/query/configs";

/**
 * A form over some of the config's own settings (sample policy, gateway setting): the values
 * being edited, starting from the saved ones; the PATCH body of what changed (`bodyOf`: empty when
 * nothing did); and the save, which refetches the config, whose new `updatedAt` re-keys the form.
 */
export function useConfigSettings<S>(configKey: string, saved: S, bodyOf: (saved: S, edited: S) => Record<string, unknown>) {
  const queryClient = useQueryClient();
  const [edited, setEdited] = useState(saved);
  const body = bodyOf(saved, edited);
  const save = useMutation({
    mutationFn: () => configApi.update(configKey, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: configKeys.detail(configKey) }),
  });
  return { edited, setEdited, body, save };
}
