import { listAuditEvents } from "../audit/service";
import type { Actor } from "../auth/actor";
import { createApiKey } from "../auth/api-key-service";
import type { Db } from "../db/types";
import { ConflictError } from "../errors";
import { toAppError } from "../http/respond";
import { createConfig, getConfig, listConfigs } from "../release/config-service";
import { llmSettingsOf } from "../release/llm-settings";
import { listRollouts, startRollout } from "../release/rollout-service";
import type { RolloutDto } from "../release/rollout-schemas";
import { createScore, listScores } from "../release/score-service";
import { createVersion, listVersions } from "../release/version-service";
import type { VersionDto } from "../release/version-schemas";
import { DEMO_CONFIGS, nextLabel, type DemoConfig } from "./scenario";

// Seeds the demo through the services the admin API calls (create config, define its custom
// scores, create version, start rollout, create API key), so it is audited and announced to the
// client API like any other change. Idempotent: a config the demo created is reused (a score it
// lacks is added before a canary starts, which copies the guardrail scores' thresholds); a
// running or paused rollout is left as it is (the demo drives traffic to it); a config whose last
// rollout ended gets a new canary version and a fresh rollout. Safe to run concurrently: a lost
// race (409) re-reads and reuses what the winner made.
//
// It writes only to configs it created. A config under a demo key that someone else created is
// a user's: the demo refuses before it writes anything, rather than judge a real canary on
// simulated outcomes. The proof of who created a config is its `config.create` audit event,
// written in the creating transaction with the demo's system actor; no API route, console page
// or CLI command acts as that actor, so nothing a user can type forges it (a name, a description
// or a key prefix could be typed).

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

/** The demo found a config under one of its keys that it did not create; it wrote nothing to it. */
export class ForeignConfigError extends Error {
  constructor(readonly key: string, createdBy: string) {
    super(
      `The config \`${key}\` already exists and the demo did not create it (${createdBy}). The demo only writes to ` +
        "configs it created, so it stopped without touching this one. Run the demo on a data directory of its own, " +
        "e.g. `LLM_CANARY_DATA_DIR=.demo-data npm run demo`, or on another database through DATABASE_URL.",
    );
    this.name = "ForeignConfigError";
  }
}

export async function seedDemo(db: Db, configs: readonly DemoConfig[] = DEMO_CONFIGS, actor: Actor = DEMO_ACTOR): Promise<DemoSeed> {
  // All keys first, so a refusal leaves no half-seeded demo behind.
  const existing = new Set((await listConfigs(db)).map((c) => c.key));
  for (const { key } of configs) if (existing.has(key)) await requireCreatedBy(db, actor, key);
  const seeded: SeededConfig[] = [];
  for (const config of configs) seeded.push(await seedConfig(db, actor, config));
  const { key, apiKey } = await createApiKey(db, actor, { name: DEMO_KEY_NAME, scopes: ["route", "metrics"] });
  return { configs: seeded, apiKey: key, apiKeyId: apiKey.id };
}

async function seedConfig(db: Db, actor: Actor, demo: DemoConfig): Promise<SeededConfig> {
  // An existing config is a 409 (createConfig checks the key in its transaction): reused.
  await ignoreConflict(() => createConfig(db, actor, { key: demo.key, name: demo.name, description: demo.description }));
  // Again: someone may have created the key since the check in seedDemo.
  await requireCreatedBy(db, actor, demo.key);
  if (!(await getConfig(db, demo.key)).stableVersion) {
    await ignoreConflict(() => createVersion(db, actor, demo.key, { label: "v1", ...demo.stable }));
  }
  const defined = new Set((await listScores(db, demo.key)).map((s) => s.key));
  for (const score of demo.scores ?? []) {
    if (!defined.has(score.key)) await ignoreConflict(() => createScore(db, actor, demo.key, score));
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

/** Throws ForeignConfigError unless `actor` created the config `key`. */
async function requireCreatedBy(db: Db, actor: Actor, key: string): Promise<void> {
  const { events } = await listAuditEvents(db, "all", { config: key, action: "config.create", limit: "1" });
  const created = events[0];
  if (created && created.actorType === actor.type && created.actorLabel === actor.label) return;
  throw new ForeignConfigError(
    key,
    created ? `${created.actorLabel} created it on ${created.at.toISOString().slice(0, 10)}` : "its audit log does not say who did",
  );
}

/** The next canary candidate on top of the current stable version, in a new rollout. */
async function startCanary(db: Db, actor: Actor, demo: DemoConfig, stable: VersionDto): Promise<RolloutDto> {
  const previousRollouts = (await listRollouts(db, demo.key)).length;
  const change = demo.canaries[previousRollouts % demo.canaries.length](stable);
  const canary = await createVersion(db, actor, demo.key, {
    // Every LLM setting of stable, then the candidate's change.
    ...llmSettingsOf(stable),
    ...change,
    label: nextLabel(await listVersions(db, demo.key)),
    parentVersionId: stable.id,
  });
  return startRollout(db, actor, demo.key, { canaryVersionId: canary.id, stages: demo.stages, autoPromote: true });
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
