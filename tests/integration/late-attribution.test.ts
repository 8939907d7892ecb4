import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actOnRollout } from "@/lib/analysis/rollout-actions";
import type { Actor } from "@/lib/auth/actor";
import { setPrice } from "@/lib/pricing/service";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { KEPT_ROLLOUTS } from "@/lib/snapshot/repo";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The snapshot keeps each config's live versions and latest rollouts only (lib/snapshot/past.ts):
// an outcome that arrives late — of a rollout older than those, or of a version no longer live —
// is attributed and priced exactly as if it held the whole history, by looking the rest up.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const HOUR = 3_600_000;

let db: TestDatabase;
let srv: ClientApiServer;
let metricsKey: string;
/** The config's rollouts, oldest first, each with its canary version; all ended. */
const rollouts: { id: string; canary: string; base: string; startedAt: number }[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  metricsKey = await adminKey(db.prisma, ["metrics"]);
  await createConfig(db.prisma, system, { key: "late", name: "Late" });
  const first = await createVersion(db.prisma, system, "late", { label: "v0", model: "old-model", systemPrompt: "Hi.", temperature: 0.5, maxTokens: 64 });
  await setPrice(db.prisma, system, { model: "old-model", inputUsdPerMillion: 1, outputUsdPerMillion: 2 });
  let base = first.id;
  for (let i = 1; i <= KEPT_ROLLOUTS + 2; i++) {
    const canary = await createVersion(db.prisma, system, "late", { label: `v${i}`, model: "new-model", systemPrompt: "Hi.", temperature: 0.5, maxTokens: 64 });
    const rollout = await startRollout(db.prisma, system, "late", { canaryVersionId: canary.id });
    await actOnRollout(db.prisma, system, rollout.id, "promote", {});
    rollouts.push({ id: rollout.id, canary: canary.id, base, startedAt: 0 });
    base = canary.id;
  }
  // Spread the history over the last hours, one hour per rollout, half an hour each: times a late outcome can fall in.
  const start = Date.now() - (rollouts.length + 1) * HOUR;
  for (const [i, r] of rollouts.entries()) {
    r.startedAt = start + i * HOUR;
    await db.prisma.rollout.update({ where: { id: r.id }, data: { createdAt: new Date(r.startedAt), endedAt: new Date(r.startedAt + HOUR / 2) } });
  }
  srv = await startClientApiServer(db); // loads the history as it now stands
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

const report = (events: object[]) => send(srv.baseUrl, "/api/metrics", { auth: metricsKey, body: { events } });
const stored = (requestId: string) => db.prisma.outcome.findFirstOrThrow({ where: { requestId }, select: { rolloutId: true, variant: true, costUsd: true } });

describe("late outcomes beyond the snapshot's latest rollouts", () => {
  it("holds only the latest rollouts of the config", () => {
    const config = srv.api.store.current.configsByKey.get("late")!;
    expect(config.rollouts.map((r) => r.id)).toEqual(rollouts.slice(-KEPT_ROLLOUTS).reverse().map((r) => r.id));
    expect(config.olderRolloutsEndedAt).toBe(rollouts[1].startedAt + HOUR / 2);
  });

  it("attributes an outcome from the time of an older rollout to it, and one naming it by id", async () => {
    const [oldest] = rollouts;
    const at = new Date(oldest.startedAt + 10 * 60_000).toISOString();
    const answer = await report([
      { requestId: "by-time", config: "late", versionId: oldest.canary, isError: false, latencyMs: 100, at },
      { requestId: "by-id", config: "late", versionId: oldest.base, rolloutId: oldest.id, isError: false, latencyMs: 100, at },
      { requestId: "between", config: "late", versionId: oldest.canary, isError: false, latencyMs: 100, at: new Date(oldest.startedAt + 45 * 60_000).toISOString() },
    ]);
    expect(answer.status).toBe(202);
    expect(await stored("by-time")).toMatchObject({ rolloutId: oldest.id, variant: "canary" });
    expect(await stored("by-id")).toMatchObject({ rolloutId: oldest.id, variant: "stable" });
    expect(await stored("between")).toMatchObject({ rolloutId: null, variant: "canary" });
  });

  it("prices an outcome of a version no longer live by its model, and refuses an older rollout that did not serve it", async () => {
    const [oldest, second] = rollouts;
    const answer = await report([{ requestId: "priced", config: "late", versionId: oldest.base, rolloutId: null, isError: false, latencyMs: 100, inputTokens: 1_000_000, outputTokens: 1_000_000 }]);
    expect(answer.status).toBe(202);
    expect(await stored("priced")).toMatchObject({ rolloutId: null, costUsd: 3 });
    const refused = await report([{ requestId: "wrong", config: "late", versionId: oldest.base, rolloutId: second.id, isError: false, latencyMs: 100 }]);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ path: "events.0.rolloutId", message: `names rollout ${second.id}, which does not serve version ${oldest.base}` }]);
  });
});
