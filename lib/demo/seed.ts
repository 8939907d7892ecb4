import type { Actor } from "../auth/actor";
import { createApiKey } from "../auth/api-key-service";
import type { Db } from "../db/types";
import { ConflictError } from "../errors";
import { toAppError } from "../http/respond";
import { createConfig, getConfig } from "../release/config-service";
import { listRollouts, startRollout } from "../release/rollout-service";
import type { RolloutDto } from "../release/rollout-schemas";
import { createVersion, listVersions } from "../release/version-service";
import type { VersionDto } from "../release/version-schemas";
import { DEMO_CONFIGS, nextLabel, type DemoConfig } from "./scenario";

// Seeds the demo through the services the admin API calls (create config, create version,
// start rollout, create API key), so it is audited and announced to the client API like any
// other change. Idempotent: a config that exists is reused; a running or paused rollout is left
// as it is (the demo drives traffic to it); a config whose last rollout ended gets a new canary
// version and a fresh rollout. Safe to run concurrently: a lost race (409) re-reads and reuses
// what the winner made.

export const DEMO_ACTOR: Actor = { type: "system", id: null, label: "demo", scopes: [] };
export const DEMO_KEY_NAME = "demo traffic simulator";

export interface SeededConfig {
  key: string;
  /** `started`: this call started the rollout; `continued`: it was already running or paused. */
  action: "started" | "continued";
  rollout: RolloutDto;
}

export interface DemoSeed {
  configs: SeededConfig[];
  /** A new key with the route and metrics scopes, for the simulator (shown once, like any key). */
  apiKey: string;
  apiKeyId: string;
}

export async function seedDemo(db: Db, configs: readonly DemoConfig[] = DEMO_CONFIGS, actor: Actor = DEMO_ACTOR): Promise<DemoSeed> {
  const seeded: SeededConfig[] = [];
  for (const config of configs) seeded.push(await seedConfig(db, actor, config));
  const { key, apiKey } = await createApiKey(db, actor, { name: DEMO_KEY_NAME, scopes: ["route", "metrics"] });
  return { configs: seeded, apiKey: key, apiKeyId: apiKey.id };
}

async function seedConfig(db: Db, actor: Actor, demo: DemoConfig): Promise<SeededConfig> {
  // An existing config is a 409 (createConfig checks the key in its transaction): reused.
  await ignoreConflict(() => createConfig(db, actor, { key: demo.key, name: demo.name, description: demo.description }));
  if (!(await getConfig(db, demo.key)).stableVersion) {
    await ignoreConflict(() => createVersion(db, actor, demo.key, { label: "v1", ...demo.stable }));
  }
  // A conflict (a label or a rollout someone else just made) is retried on the new state.
  for (let attempt = 1; ; attempt++) {
    const { stableVersion, activeRollout } = await getConfig(db, demo.key);
    if (activeRollout) return { key: demo.key, action: "continued", rollout: activeRollout };
    try {
      return { key: demo.key, action: "started", rollout: await startCanary(db, actor, demo, stableVersion!) };
    } catch (error) {
      if (!isConflict(error) || attempt === 3) throw error;
    }
  }
}

/** The next canary candidate on top of the current stable version, in a new rollout. */
async function startCanary(db: Db, actor: Actor, demo: DemoConfig, stable: VersionDto): Promise<RolloutDto> {
  const previousRollouts = (await listRollouts(db, demo.key)).length;
  const change = demo.canaries[previousRollouts % demo.canaries.length](stable);
  const canary = await createVersion(db, actor, demo.key, {
    ...settingsOf(stable),
    ...change,
    label: nextLabel(await listVersions(db, demo.key)),
    parentVersionId: stable.id,
  });
  return startRollout(db, actor, demo.key, { canaryVersionId: canary.id, stages: demo.stages, autoPromote: true });
}

/** A version's settings, as the input of a new version that starts from it. */
function settingsOf(version: VersionDto) {
  const { model, systemPrompt, temperature, topP, maxTokens, retrievalStrategy, params } = version;
  return { model, systemPrompt, temperature, topP, maxTokens, retrievalStrategy, params };
}

async function ignoreConflict(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
}

/** A 409, as the admin API would answer: a service's conflict, or a unique value taken meanwhile. */
function isConflict(error: unknown): boolean {
  return toAppError(error) instanceof ConflictError;
}
