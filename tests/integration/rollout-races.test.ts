import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as configRollback from "@/app/api/admin/configs/[key]/rollback/route";
import * as configOne from "@/app/api/admin/configs/[key]/route";
import { actOnRollout } from "@/lib/analysis/rollout-actions";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { createConfig } from "@/lib/release/config-service";
import { getRollout, startRollout } from "@/lib/release/rollout-service";
import type { RolloutAction } from "@/lib/release/transitions";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Concurrent operators on one rollout: the config row lock and the revision check must let
// exactly one of conflicting actions win, the audit trail must tell the same story as the final
// state, and whoever reads meanwhile (admin API, client API snapshot, the rows) must only ever see
// the state before or after the winning action.

const interleave = vi.hoisted(() => ({ beforeNextRolloutRead: null as null | (() => Promise<unknown>) }));
vi.mock("@/lib/release/rollout-repo", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/release/rollout-repo")>();
  return {
    ...actual,
    // Passes through; a test may commit a change just before the next rollout read, the moment
    // a concurrent action can land between two reads of one request.
    findRollout: async (...args: Parameters<typeof actual.findRollout>) => {
      const change = interleave.beforeNextRolloutRead;
      interleave.beforeNextRolloutRead = null;
      if (change) await change();
      return actual.findRollout(...args);
    },
  };
});

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db); // the route handlers read the database through getDatabase()
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
        settle(actOnRollout(db.prisma, operator(i), ro.id, actions[i % actions.length], { revision: ro.revision, reason: `operator ${i}` })),
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
      Array.from({ length: 20 }, (_, i) => settle(actOnRollout(db.prisma, operator(i), ro.id, actions[i % actions.length], {}))),
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

describe("found by the races", () => {
  it("GET /api/admin/configs/{key} answers one state even when an action commits between its reads", async () => {
    // getConfig read the config row, then the active rollout, in separate statements outside a
    // transaction: a promote committed in between gave a config still routing 10 % to an
    // "active" rollout that was already promoted. The reads now share one snapshot.
    const ro = await runningRollout("torn-read");
    interleave.beforeNextRolloutRead = () => actOnRollout(db.prisma, operator(1), ro.id, "promote", {});
    const { body } = await call(configOne.GET, "GET", { auth: await adminKey(db.prisma), params: { key: "torn-read" } });
    expect(interleave.beforeNextRolloutRead).toBeNull();
    expect(body.activeRollout?.status ?? null).toBe(body.config.activeRollout?.status ?? null);
    expect(body.config.canaryPercent).toBe(body.activeRollout?.percent ?? 0);
  });

  it("a config rollback sent with a stale revision answers 409 with the current state", async () => {
    // README and house style: the loser of a race gets 409 with `current`; rollbackConfig's
    // revision check (and startRollout's) threw ConflictError without it.
    const ro = await runningRollout("stale-rollback");
    const { revision } = await db.prisma.config.findUniqueOrThrow({ where: { key: "stale-rollback" } });
    await actOnRollout(db.prisma, operator(1), ro.id, "pause", {});
    const res = await call(configRollback.POST, "POST", { auth: await adminKey(db.prisma), params: { key: "stale-rollback" }, body: { reason: "stale", revision } });
    expect(res.status).toBe(409);
    expect(res.body.error.current).toMatchObject({ id: ro.id, status: "paused" });
  });
});
