import * as rolloutsRoute from "../../app/api/admin/configs/[key]/rollouts/route";
import * as scoreRoute from "../../app/api/admin/configs/[key]/scores/[scoreKey]/route";
import * as scoresRoute from "../../app/api/admin/configs/[key]/scores/route";
import type { Actor } from "../../lib/auth/actor";
import type { Db } from "../../lib/db/types";
import { createConfig } from "../../lib/release/config-service";
import { createVersion } from "../../lib/release/version-service";
import { call } from "./call";

// The score endpoints as the score tests call them (real handlers, real Requests), sample
// definitions, and what "nothing was stored" is checked against.

type Who = { auth?: string; cookie?: string; headers?: Record<string, string> };

export const groundedness = { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 };
export const validJson = { key: "valid_json", label: "Valid JSON", kind: "boolean" };

/** Calls as `who` (by default the admin key given). */
export function scoreCalls(admin: string) {
  const as = (who?: Who) => who ?? { auth: admin };
  return {
    list: (key: string, who?: Who) => call(scoresRoute.GET, "GET", { ...as(who), params: { key } }),
    create: (key: string, body: unknown, who?: Who) => call(scoresRoute.POST, "POST", { ...as(who), params: { key }, body }),
    patch: (key: string, scoreKey: string, body: unknown) => call(scoreRoute.PATCH, "PATCH", { auth: admin, params: { key, scoreKey }, body }),
    remove: (key: string, scoreKey: string) => call(scoreRoute.DELETE, "DELETE", { auth: admin, params: { key, scoreKey } }),
    start: (key: string, body: unknown) => call(rolloutsRoute.POST, "POST", { auth: admin, params: { key }, body }),
  };
}

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 64 });

/** A config with a stable v1 and a v2 to start canaries of. */
export async function configWithVersions(db: Db, key: string) {
  const config = await createConfig(db, system, { key, name: key });
  await createVersion(db, system, key, version("v1"));
  const v2 = await createVersion(db, system, key, version("v2"));
  return { config, v2 };
}

/** Every score definition, and how many audit events and rollouts there are. */
export async function storedState(db: Db) {
  return {
    scores: await db.scoreDefinition.findMany({ orderBy: { id: "asc" } }),
    audit: await db.auditEvent.count(),
    rollouts: await db.rollout.count(),
  };
}
