import { DEMO_CONFIGS } from "../../../lib/demo/scenario";
import type { ConfigTraffic } from "../../../lib/demo/simulator";
import type { VariantProfile } from "../../../lib/demo/traffic-model";

// Simulated traffic for the soak scripts, built from the demo's profiles (lib/demo/scenario.ts):
// a healthy canary, one that fails 15 % of requests (the controller rolls it back), and one
// that is 2.5× slower. The share of the total rate each config gets is fixed.

const [support, docs] = DEMO_CONFIGS;

const slow: VariantProfile = { ...support.traffic.stable, latency: { medianMs: 3_500, sigma: 0.45 } };

export interface SoakConfig {
  key: string;
  share: number;
  stable: VariantProfile;
  canary: VariantProfile;
}

export const SOAK_CONFIGS: readonly SoakConfig[] = [
  { key: "soak-chat", share: 0.5, stable: support.traffic.stable, canary: support.traffic.canary },
  { key: "soak-docs", share: 0.3, stable: docs.traffic.stable, canary: docs.traffic.canary },
  { key: "soak-summary", share: 0.2, stable: support.traffic.stable, canary: slow },
];

/** The simulator's traffic at `totalPerSecond` route calls a second; `lateRatings: false` turns feedback() off. */
export function soakTraffic(totalPerSecond: number, configs: readonly SoakConfig[] = SOAK_CONFIGS, lateRatings = true): ConfigTraffic[] {
  const profile = (p: VariantProfile): VariantProfile => (lateRatings ? p : { ...p, lateRatingShare: 0 });
  return configs.map((c) => ({
    config: c.key,
    requestsPerSecond: totalPerSecond * c.share,
    stable: profile(c.stable),
    canary: profile(c.canary),
    inputs: support.traffic.inputs,
  }));
}
