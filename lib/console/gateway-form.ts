// The config page's gateway settings (app/(console)/configs/[key]/_components/gateway-section.tsx).
// Which calls keep their samples is the config's sample policy (lib/console/sample-policy-form.ts),
// the same for gateway calls as for outcomes sent to /api/metrics. Pure.

/** The PATCH body: only what changed. */
export function gatewaySettingsBody(saved: { gatewayClientOverrides: boolean }, edited: { gatewayClientOverrides: boolean }): { gatewayClientOverrides?: boolean } {
  return edited.gatewayClientOverrides !== saved.gatewayClientOverrides ? { gatewayClientOverrides: edited.gatewayClientOverrides } : {};
}
