import { getRolloutReport } from "../analysis/report-service";
import { listAuditEvents } from "../audit/service";
import type { Actor } from "../auth/actor";
import { createApiKey, revokeApiKey } from "../auth/api-key-service";
import type { Db } from "../db/types";
import { createConfig, getConfig, listConfigs } from "../release/config-service";
import { getRollout, listRollouts, startRollout } from "../release/rollout-service";
import { createScore, listScores } from "../release/score-service";
import { createVersion, listVersions } from "../release/version-service";
import type { DemoAdmin } from "./demo-admin";

// The demo's admin operations through the services, in the process that runs the server: what
// `npm run demo` uses. The actor is the demo's system actor, which no API route acts as.

export const DEMO_ACTOR: Actor = { type: "system", id: null, label: "demo", scopes: [] };

export function localDemoAdmin(db: Db, actor: Actor = DEMO_ACTOR): DemoAdmin {
  return {
    owners: [actor],
    configKeys: async () => (await listConfigs(db)).map((c) => c.key),
    async configCreation(key) {
      const { events } = await listAuditEvents(db, "all", { config: key, action: "config.create", limit: "1" });
      const created = events[0];
      return created ? { type: created.actorType, id: created.actorId, label: created.actorLabel, at: created.at } : null;
    },
    createConfig: async (input) => void (await createConfig(db, actor, input)),
    config: (key) => getConfig(db, key),
    createVersion: (key, input) => createVersion(db, actor, key, input),
    versionLabels: async (key) => (await listVersions(db, key)).map((v) => v.label),
    rolloutCount: async (key) => (await listRollouts(db, key)).length,
    scoreKeys: async (key) => (await listScores(db, key)).map((s) => s.key),
    createScore: async (key, input) => void (await createScore(db, actor, key, input)),
    startRollout: (key, input) => startRollout(db, actor, key, input),
    async createClientKey(name) {
      const { key, apiKey } = await createApiKey(db, actor, { name, scopes: ["route", "metrics"] });
      return { key, id: apiKey.id };
    },
    revokeKey: async (id) => void (await revokeApiKey(db, actor, id)),
    rollout: (id) => getRollout(db, id),
    recommendation: async (rolloutId) => (await getRolloutReport(db, rolloutId)).recommendation.reason,
  };
}
