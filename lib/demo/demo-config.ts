import type { ScoreMetricSource } from "../guardrails/registry";
import type { StageInput } from "../release/rollout-schemas";
import type { ScoreThreshold } from "../release/score-schemas";
import type { CreateVersionInput, VersionDto } from "../release/version-schemas";
import type { ConfigTraffic } from "./simulator";

// What the demo seeds for one config (lib/demo/seed.ts) and how its simulated users fare
// (lib/demo/simulator.ts); the configs themselves are in lib/demo/scenario.ts.

export type VersionSettings = Omit<CreateVersionInput, "label" | "parentVersionId">;

/**
 * A custom score the demo defines on its config, complete (no server defaults), so the demo's
 * tests judge it exactly as a rollout started by the seed will.
 */
export interface DemoScore extends ScoreMetricSource {
  /** Numeric scores: the range values lie in (null for booleans). */
  min: number | null;
  max: number | null;
  threshold: ScoreThreshold;
}

export interface DemoConfig {
  key: string;
  name: string;
  description: string;
  /** The first version, stable from the start. */
  stable: VersionSettings;
  /**
   * Canary candidates, used in turn: each run of the demo that finds the previous rollout ended
   * starts the next one, applied on top of whatever is stable then.
   */
  canaries: readonly ((stable: VersionDto) => Partial<VersionSettings> & { description: string })[];
  stages: StageInput[];
  /** Custom scores defined on the config before its first canary (the profiles send them). */
  scores?: readonly DemoScore[];
  traffic: Omit<ConfigTraffic, "config">;
}

/** USD per million tokens, as the demo's profiles price their requests. */
export const GPT_4O_MINI = { inputPerMTok: 0.15, outputPerMTok: 0.6 };
