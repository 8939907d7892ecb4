// The config page's gateway settings (app/(console)/configs/[key]/_components/gateway-section.tsx):
// the share of calls kept as samples, chosen from a list rather than typed, so nothing invalid can
// be entered; a share set through the API that is not on the list is offered as it is. Pure.

export const SAMPLE_RATE_CHOICES = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1] as const;

/** "none", "1 % of calls", "every call". */
export function sampleRateText(rate: number): string {
  if (rate === 0) return "none";
  if (rate === 1) return "every call";
  return `${Number((rate * 100).toPrecision(4))} % of calls`;
}

/** The choices the select offers: the list, plus the current share when it is not on it, in order. */
export function sampleRateOptions(current: number): { value: string; label: string }[] {
  const rates = (SAMPLE_RATE_CHOICES as readonly number[]).includes(current) ? [...SAMPLE_RATE_CHOICES] : [...SAMPLE_RATE_CHOICES, current].sort((a, b) => a - b);
  return rates.map((rate) => ({ value: String(rate), label: sampleRateText(rate) }));
}

/** The PATCH body: only what changed. */
export function gatewaySettingsBody(
  saved: { gatewaySampleRate: number; gatewayClientOverrides: boolean },
  edited: { gatewaySampleRate: number; gatewayClientOverrides: boolean },
): Partial<typeof edited> {
  return {
    ...(edited.gatewaySampleRate !== saved.gatewaySampleRate && { gatewaySampleRate: edited.gatewaySampleRate }),
    ...(edited.gatewayClientOverrides !== saved.gatewayClientOverrides && { gatewayClientOverrides: edited.gatewayClientOverrides }),
  };
}
