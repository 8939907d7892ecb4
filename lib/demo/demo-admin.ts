import type { z } from "zod";
import type { CreateConfigInput } from "../release/config-schemas";
import { RolloutDto, type StartRolloutInput } from "../release/rollout-schemas";
import type { CreateScoreInput } from "../release/score-schemas";
import type { CreateVersionInput, VersionDto } from "../release/version-schemas";

// The admin operations the demo's seed and progress lines need, in the demo's name. Two ways to
// the same operations: the services, in the process that runs the server (`npm run demo`,
// lib/demo/local-admin.ts), or the admin API of a server started elsewhere with an admin API key
// (`npm run demo -- --url … --key …`, lib/demo/remote-admin.ts). Either way each one is the
// admin API's own service, audited and announced like any other change.

/** Who acted, as an audit event records it. */
export interface ActorRef {
  type: string;
  id: string | null;
  label: string;
}

/** The parts of a rollout the demo reads (none of them a date, so they look alike either way). */
export const DemoRollout = RolloutDto.pick({
  id: true,
  status: true,
  stages: true,
  currentStage: true,
  percent: true,
  awaitingApproval: true,
  endReason: true,
  thresholds: true,
  canaryVersion: true,
  baseVersion: true,
});
export type DemoRollout = z.infer<typeof DemoRollout>;

export interface DemoAdmin {
  /**
   * Whose `config.create` proves a config is the demo's: the demo's own system actor (no API
   * route acts as it), and, through the admin API, the key the demo acts with.
   */
  readonly owners: readonly ActorRef[];
  configKeys(): Promise<string[]>;
  /** Who created the config, from its `config.create` audit event; null when the log does not say. */
  configCreation(key: string): Promise<(ActorRef & { at: Date }) | null>;
  /** Throws the API's conflict (lib/errors ConflictError) when the key is taken. */
  createConfig(input: z.input<typeof CreateConfigInput>): Promise<void>;
  config(key: string): Promise<{ stableVersion: VersionDto | null; activeRollout: DemoRollout | null }>;
  createVersion(key: string, input: CreateVersionInput): Promise<{ id: string }>;
  /** The config's version labels, newest first. */
  versionLabels(key: string): Promise<string[]>;
  rolloutCount(key: string): Promise<number>;
  scoreKeys(key: string): Promise<string[]>;
  createScore(key: string, input: z.input<typeof CreateScoreInput>): Promise<void>;
  startRollout(key: string, input: z.input<typeof StartRolloutInput>): Promise<DemoRollout>;
  /** A key with the client scopes (route, metrics) for the simulated app; shown once. */
  createClientKey(name: string): Promise<{ key: string; id: string }>;
  revokeKey(id: string): Promise<void>;
  rollout(id: string): Promise<DemoRollout>;
  /** The rollout's recommendation in words, as its report gives it. */
  recommendation(rolloutId: string): Promise<string>;
}

/** True when `actor` is one of `owners`: the same type and id, or, for actors without an id, the same label. */
export function isOwner(owners: readonly ActorRef[], actor: ActorRef): boolean {
  return owners.some((o) => o.type === actor.type && (o.id !== null ? o.id === actor.id : actor.id === null && o.label === actor.label));
}
