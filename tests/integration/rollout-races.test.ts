import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { createConfig } from "@/lib/release/config-service";
import { applyRolloutAction, getRollout, startRollout } from "@/lib/release/rollout-service";
import type { RolloutAction } from "@/lib/release/transitions";
import { createVersion } from "@/lib/release/version-service";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Concurrent operators on one rollout: the config row lock and the revision check must let
// exactly one of conflicting actions win, and the audit trail must tell the same story as the
// final state.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const operator = (n: number): Actor => ({ type: "user", id: `usr_op${n}`, label: `op${n}@example.com`, role: "operator", scopes: [] });
const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

async function runningRollout(key: string) {
  await createConfig(db.prisma, system, { key, name: key });
  const base = { model: "gpt-4o", systemPrompt: "Be brief.", temperature: 0.7, maxTokens: 256 };
  await createVersion(db.prisma, system, key, { ...base, label: "v1" });
  const v2 = await createVersion(db.prisma, system, key, { ...base, label: "v2", temperature: 0.2 });
  return startRollout(db.prisma, system, key, { canaryVersionId: v2.id });
}

async function settle<T>(work: Promise<T>): Promise<{ status: number; value?: T; error?: AppError }> {
  try {
    return { status: 200, value: await work };
  } catch (error) {
    if (error instanceof AppError) return { status: error.status, error };
    throw error;
  }
}

async function auditChain(rolloutId: string) {
  const events = await db.prisma.auditEvent.findMany({ where: { entityType: "rollout", entityId: rolloutId }, orderBy: { id: "asc" } });
  return events.map((e) => ({ action: e.action, before: e.before as { status: string; revision: number } | null, after: e.after as { status: string; revision: number } }));
}

describe("races on one rollout", () => {
  it("of 20 conflicting actions sent with the same revision, exactly one wins", async () => {
    const ro = await runningRollout("race-revision");
    const actions: RolloutAction[] = ["promote", "rollback", "pause", "abort", "advance"];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        settle(applyRolloutAction(db.prisma, operator(i), ro.id, actions[i % actions.length], { revision: ro.revision, reason: `operator ${i}` })),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    for (const loser of results.filter((r) => r.status === 409)) {
      expect(loser.error!.extra).toHaveProperty("current");
    }

    const final = await getRollout(db.prisma, ro.id);
    expect(final).toEqual(winners[0].value);
    const actionFor = { promoted: "promote", rolled_back: "rollback", paused: "pause", aborted: "abort", running: "advance" } as const;
    const chain = await auditChain(ro.id);
    expect(chain.map((e) => e.action)).toEqual(["rollout.start", `rollout.${actionFor[final.status]}`]);

    const config = await db.prisma.config.findUniqueOrThrow({ where: { id: ro.configId } });
    if (final.status === "running" || final.status === "paused") {
      expect(config).toMatchObject({ activeRolloutId: ro.id, canaryVersionId: ro.canaryVersion.id, canaryPercent: final.percent });
    } else {
      expect(config).toMatchObject({ activeRolloutId: null, canaryVersionId: null, canaryPercent: 0 });
      expect(config.stableVersionId).toBe(final.status === "promoted" ? ro.canaryVersion.id : ro.baseVersion.id);
    }
  });

  it("without revisions, 20 concurrent actions serialize: every success is one link in the audit chain", async () => {
    const ro = await runningRollout("race-serial");
    const actions: RolloutAction[] = ["pause", "resume", "advance", "pause", "resume"];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => settle(applyRolloutAction(db.prisma, operator(i), ro.id, actions[i % actions.length], {}))),
    );
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const successes = results.filter((r) => r.status === 200).length;
    expect(successes).toBeGreaterThan(0);

    const chain = await auditChain(ro.id);
    expect(chain).toHaveLength(1 + successes);
    for (let i = 1; i < chain.length; i++) {
      expect(chain[i].before).toEqual(chain[i - 1].after); // nobody acted on a state that was gone
      expect(chain[i].after.revision).toBe(chain[i - 1].after.revision + 1);
    }
    const final = await getRollout(db.prisma, ro.id);
    expect(final).toEqual(JSON.parse(JSON.stringify(chain[chain.length - 1].after), (k, v) => (/At$/.test(k) && v ? new Date(v) : v)));
  });

  it("two canaries started at once: one starts, the other gets 409", async () => {
    const key = "race-start";
    await createConfig(db.prisma, system, { key, name: key });
    const base = { model: "gpt-4o", systemPrompt: "Be brief.", temperature: 0.7, maxTokens: 256 };
    await createVersion(db.prisma, system, key, { ...base, label: "v1" });
    const v2 = await createVersion(db.prisma, system, key, { ...base, label: "v2", temperature: 0.1 });
    const v3 = await createVersion(db.prisma, system, key, { ...base, label: "v3", temperature: 0.3 });
    const results = await Promise.all(
      [v2, v3, v2, v3].map((v, i) => settle(startRollout(db.prisma, operator(i), key, { canaryVersionId: v.id }))),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(3);
    expect(await db.prisma.rollout.count({ where: { config: { key }, status: { in: ["running", "paused"] } } })).toBe(1);
  });
});
