import { ConflictError } from "../errors";
import { toAppError } from "../http/respond";
import { llmSettingsOf } from "../release/llm-settings";
import { newVersionLabel } from "../release/version-label";
import type { VersionDto } from "../release/version-schemas";
import { isOwner, type DemoAdmin, type DemoRollout } from "./demo-admin";
import { DEMO_CONFIGS, type DemoConfig } from "./scenario";

// Seeds the demo through the admin API's operations (create config, define its custom scores,
// create version, start rollout, create API key; lib/demo/demo-admin.ts: the services in this
// process, or the admin API of a server started elsewhere), so it is audited and announced to the
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
// or a key prefix could be typed). Through the admin API the demo acts as its API key, whose id
// the event records: configs that key created are the demo's too (and the system actor's still are).

export { DEMO_ACTOR } from "./local-admin";
const DEMO_KEY_NAME = "demo traffic simulator";

export interface SeededConfig {
  key: string;
  /** `started`: this call started the rollout; `continued`: it was already running or paused. */
  action: "started" | "continued";
  rollout: DemoRollout;
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

export async function seedDemo(admin: DemoAdmin, configs: readonly DemoConfig[] = DEMO_CONFIGS): Promise<DemoSeed> {
  // All keys first, so a refusal leaves no half-seeded demo behind.
  const existing = new Set(await admin.configKeys());
  for (const { key } of configs) if (existing.has(key)) await requireCreatedByDemo(admin, key);
  const seeded: SeededConfig[] = [];
  for (const config of configs) seeded.push(await seedConfig(admin, config));
  const { key, id } = await admin.createClientKey(DEMO_KEY_NAME);
  return { configs: seeded, apiKey: key, apiKeyId: id };
}

async function seedConfig(admin: DemoAdmin, demo: DemoConfig): Promise<SeededConfig> {
  // An existing config is a 409 (createConfig checks the key in its transaction): reused.
  await ignoreConflict(() => admin.createConfig({ key: demo.key, name: demo.name, description: demo.description }));
  // Again: someone may have created the key since the check in seedDemo.
  await requireCreatedByDemo(admin, demo.key);
  if (!(await admin.config(demo.key)).stableVersion) {
    await ignoreConflict(() => admin.createVersion(demo.key, { label: newVersionLabel([]), ...demo.stable }));
  }
  const defined = new Set(await admin.scoreKeys(demo.key));
  for (const score of demo.scores ?? []) {
    if (!defined.has(score.key)) await ignoreConflict(() => admin.createScore(demo.key, score));
  }
  // A conflict (a label or a rollout someone else just made) is retried on the new state.
  for (let attempt = 1; ; attempt++) {
    const { stableVersion, activeRollout } = await admin.config(demo.key);
    if (activeRollout) return { key: demo.key, action: "continued", rollout: activeRollout };
    try {
      return { key: demo.key, action: "started", rollout: await startCanary(admin, demo, stableVersion!) };
    } catch (error) {
      if (!isConflict(error) || attempt === 3) throw error;
    }
  }
}

/** Throws ForeignConfigError unless one of the demo's actors created the config `key`. */
async function requireCreatedByDemo(admin: DemoAdmin, key: string): Promise<void> {
  const created = await admin.configCreation(key);
  if (created && isOwner(admin.owners, created)) return;
  throw new ForeignConfigError(key, created ? `${created.label} created it on ${created.at.toISOString().slice(0, 10)}` : "its audit log does not say who did");
}

/** The next canary candidate on top of the current stable version, in a new rollout. */
async function startCanary(admin: DemoAdmin, demo: DemoConfig, stable: VersionDto): Promise<DemoRollout> {
  const previousRollouts = await admin.rolloutCount(demo.key);
  const change = demo.canaries[previousRollouts % demo.canaries.length](stable);
  const canary = await admin.createVersion(demo.key, {
    // Every LLM setting of stable, then the candidate's change.
    ...llmSettingsOf(stable),
    ...change,
    label: newVersionLabel(await admin.versionLabels(demo.key)),
    parentVersionId: stable.id,
  });
  return admin.startRollout(demo.key, { canaryVersionId: canary.id, stages: demo.stages, autoPromote: true });
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
