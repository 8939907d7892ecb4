"use client";

import { useCan } from "@/components/providers";
import { AlertChannels } from "./alert-channels";
import { ApiKeys } from "./api-keys";
import { ModelPrices } from "./model-prices";
import { ProviderConnections } from "./provider-connections";
import { Users } from "./users";

/** The sections this user's role can manage; the server enforces the same scopes. */
export function Settings() {
  const users = useCan("users:manage");
  const keys = useCan("api-keys:manage");
  const alerts = useCan("alerts:manage");
  // Whoever reaches this page may read the prices (costs are shown to them); managers change them.
  const prices = useCan("configs:read");
  const providers = useCan("providers:manage");
  return (
    <div className="flex flex-col gap-10">
      <h1 className="text-2xl font-semibold">Settings</h1>
      {!users && !keys && !alerts && !prices && !providers && <p>Your role has no settings to manage.</p>}
      {users && <Users />}
      {keys && <ApiKeys />}
      {alerts && <AlertChannels />}
      {prices && <ModelPrices />}
      {providers && <ProviderConnections />}
    </div>
  );
}
