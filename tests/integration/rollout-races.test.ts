import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as rolloutAction from "@/app/api/admin/rollouts/[id]/[action]/route";
import * as rolloutOne from "@/app/api/admin/rollouts/[id]/route";
import * as configRollback from "@/app/api/admin/configs/[key]/rollback/route";
import * as configOne from "@/app/api/admin/configs/[key]/route";
import * as configRollouts from "@/app/api/admin/configs/[key]/rollouts/route";
import type { Actor } from "@/lib/auth/actor";
import { parseApiKey } from "@/lib/auth/api-keys";
import { setDatabase } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { createConfig } from "@/lib/release/config-service";
import { applyRolloutAction, getRollout, startRollout } from "@/lib/release/rollout-service";
import type { RolloutAction } from "@/lib/release/transitions";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call, sessionFor, type CallOptions } from "../helpers/call";
import { send, startClientApiServer, waitFor } from "../helpers/client-api-server";
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

describe("50 conflicting actions through the admin API, round after round, while readers watch", () => {
  const RACERS = 50;
  const STAGES = [10, 50, 100].map((percent) => ({ percent, minDurationSec: 0, minSamples: 0 }));
  type ConfigDetail = { config: { activeRollout: { id: string } | null }; stableVersion: unknown; activeRollout: unknown };
  type Act = "promote" | "rollback" | "pause" | "advance" | "abort" | "config rollback";
  // A pause keeps no report, so it reaches the lock first whenever it races; rounds without one
  // let the others win too.
  const MIXES: Act[][] = [
    ["promote", "rollback", "pause", "advance", "abort", "config rollback"],
    ["promote", "rollback", "advance", "abort", "config rollback"],
    ["rollback", "abort", "config rollback"],
    ["advance", "promote", "config rollback"],
    ["abort", "advance", "rollback", "promote"],
  ];

  it(`of ${RACERS} actions from several sessions and a key, exactly one wins each round; readers see only the state before or after it`, async () => {
    const key = "race-watched";
    await createConfig(db.prisma, system, { key, name: key });
    const base = { model: "gpt-4o", systemPrompt: "Be brief.", temperature: 0.7, maxTokens: 256 };
    await createVersion(db.prisma, system, key, { ...base, label: "v1" });
    const configId = (await db.prisma.config.findUniqueOrThrow({ where: { key } })).id;

    // Three operators and two admins signed in, and an admin key: who acts, and their audit label.
    const racers: { label: string; credentials: CallOptions }[] = [];
    for (const role of ["operator", "operator", "operator", "admin", "admin"] as const) {
      const { cookie, userId } = await sessionFor(db.prisma, role);
      racers.push({ label: (await db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).email, credentials: { cookie } });
    }
    const apiKey = await adminKey(db.prisma);
    const keyRow = await db.prisma.apiKey.findUniqueOrThrow({ where: { selector: parseApiKey(apiKey.replace("Bearer ", ""))!.selector } });
    racers.push({ label: `key:${keyRow.name}`, credentials: { auth: apiKey } });
    const viewer = { cookie: (await sessionFor(db.prisma, "viewer")).cookie };
    const routeKey = await adminKey(db.prisma, ["route"]);
    const srv = await startClientApiServer(db);

    // Four readers, four paths to the same state: the admin API's config and rollout, the client
    // API's in-memory snapshot, and one SQL statement over the rows themselves.
    const readRouting = async () => (await send(srv.baseUrl, `/api/routing-state?config=${key}`, { auth: routeKey })).body;
    const readRows = async () =>
      (
        await db.prisma.$queryRaw<Record<string, unknown>[]>`
          SELECT c.revision, c.stable_version_id, c.canary_version_id, c.canary_percent, c.active_rollout_id,
            r.status::text AS rollout_status, r.current_stage, r.revision AS rollout_revision,
            (SELECT count(*)::integer FROM rollouts a WHERE a.config_id = c.id AND a.status IN ('running', 'paused')) AS active_rollouts
          FROM configs c LEFT JOIN rollouts r ON r.id = c.active_rollout_id WHERE c.id = ${configId}`
      )[0];

    const winners: string[] = [];
    let observations = 0;
    const started = performance.now();
    try {
      for (const [round, mix] of MIXES.entries()) {
        const canary = await createVersion(db.prisma, system, key, { ...base, label: `v${round + 2}`, temperature: round / 10 });
        const start = await call(configRollouts.POST, "POST", { ...racers[round].credentials, params: { key }, body: { canaryVersionId: canary.id, stages: STAGES } });
        expect(start.status).toBe(201);
        const ro = start.body;
        await waitFor(async () => (await readRouting()).rollout?.id === ro.id);
        const readers = {
          config: async () => (await call(configOne.GET, "GET", { ...viewer, params: { key } })).body,
          rollout: async () => (await call(rolloutOne.GET, "GET", { ...viewer, params: { id: ro.id } })).body,
          routing: readRouting,
          rows: readRows,
        };
        type Source = keyof typeof readers;
        const readAll = async () => Object.fromEntries(await Promise.all(Object.entries(readers).map(async ([s, read]) => [s, await read()]))) as Record<Source, unknown>;
        const before = await readAll();
        expect(before.rows).toMatchObject({ active_rollout_id: ro.id, canary_percent: 10, active_rollouts: 1 });
        const configRevision = (before.rows as { revision: number }).revision;
        const lastAudit = (await db.prisma.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } })).id;

        let racing = true;
        const watching = Object.entries(readers).map(async ([source, read]) => {
          const seen: unknown[] = [];
          while (racing) seen.push(await read());
          return [source as Source, seen] as const;
        });
        const results = await Promise.all(
          Array.from({ length: RACERS }, async (_, i) => {
            const act = mix[i % mix.length];
            const racer = racers[(i + round) % racers.length];
            const body = { reason: `racer ${i}`, revision: act === "config rollback" ? configRevision : ro.revision };
            const res =
              act === "config rollback"
                ? await call(configRollback.POST, "POST", { ...racer.credentials, params: { key }, body })
                : await call(rolloutAction.POST, "POST", { ...racer.credentials, params: { id: ro.id, action: act }, body });
            return { act, racer: racer.label, res };
          }),
        );
        racing = false;
        const seen = await Promise.all(watching);

        // Exactly one winner; every loser is told the state it lost to.
        const won = results.filter((r) => r.res.status === 200);
        expect(won, JSON.stringify(results.map((r) => [r.act, r.res.status]))).toHaveLength(1);
        const winner = won[0];
        winners.push(winner.act);
        const finalRollout = await readers.rollout();
        expect(winner.res.body).toEqual(finalRollout);
        const losers = results.filter((r) => r !== winner);
        expect(losers.map((r) => [r.act, r.res.status, r.res.body.error.code])).toEqual(losers.map((r) => [r.act, 409, "conflict"]));
        for (const loser of losers.filter((r) => r.act !== "config rollback")) expect(loser.res.body.error.current).toEqual(finalRollout);
        // A config rollback acts on whatever is active, so it is told the config's state (see "found by the races").
        for (const loser of losers.filter((r) => r.act === "config rollback")) expect(loser.res.body.error.current).toBeDefined();

        // The final state is the one the winning action makes.
        const action = winner.act === "config rollback" ? "rollback" : winner.act;
        const ended = { status: "", stable: ro.baseVersion.id, active: null, percent: 0 };
        const expected = {
          promote: { ...ended, status: "promoted", stable: canary.id },
          rollback: { ...ended, status: "rolled_back" },
          abort: { ...ended, status: "aborted" },
          pause: { ...ended, status: "paused", active: ro.id, percent: 10 },
          advance: { ...ended, status: "running", active: ro.id, percent: 50 },
        }[action];
        const rows = await readRows();
        expect(rows).toEqual({
          revision: configRevision + 1,
          stable_version_id: expected.stable,
          canary_version_id: expected.active ? canary.id : null,
          canary_percent: expected.percent,
          active_rollout_id: expected.active,
          rollout_status: expected.active ? expected.status : null,
          current_stage: expected.active ? (action === "advance" ? 1 : 0) : null,
          rollout_revision: expected.active ? ro.revision + 1 : null,
          active_rollouts: expected.active ? 1 : 0,
        });
        expect(finalRollout).toMatchObject({ status: expected.status, percent: expected.percent, revision: ro.revision + 1, endedAt: expected.active ? null : expect.any(String) });
        await waitFor(async () => (await readRouting()).revision === configRevision + 1);
        const after = await readAll();
        expect(after.routing).toMatchObject({ stable: { versionId: expected.stable }, rollout: expected.active ? { id: ro.id, percent: expected.percent } : null });

        // Every reader saw the state before the winner committed, then the state after it, and
        // nothing else: nothing half-done, never back to the state before.
        for (const [source, states] of seen) {
          observations += states.length;
          const checks: [part: string, of: (x: unknown) => unknown, alsoAfter?: unknown][] =
            source === "config"
              ? [
                  // GET /api/admin/configs/{key} reads the config row and the rollout row in separate
                  // queries (see the test below), so here each row must be one state on its own.
                  // (A rollout that has just ended may still show as the config's active one.)
                  ["row", (x) => ({ ...(x as ConfigDetail).config, activeRollout: (x as ConfigDetail).config.activeRollout?.id })],
                  ["stable version", (x) => (x as ConfigDetail).stableVersion],
                  ["active rollout summary", (x) => (x as ConfigDetail).config.activeRollout, summaryOf(finalRollout)],
                  ["active rollout", (x) => (x as ConfigDetail).activeRollout, finalRollout],
                ]
              : [["whole", (x) => x]];
          for (const [part, of, alsoAfter] of checks) {
            const [was, is] = [of(before[source]), of(after[source])];
            const phase = (x: unknown) => (isDeepEqual(x, was) ? 0 : isDeepEqual(x, is) || (alsoAfter !== undefined && isDeepEqual(x, alsoAfter)) ? 1 : -1);
            const phases = states.map((state) => phase(of(state)));
            const invalid = states.filter((_, i) => phases[i] === -1).map(of);
            expect(invalid, `${source} ${part} in round ${round}: neither the state before (${JSON.stringify(was)}) nor after (${JSON.stringify(is)})`).toEqual([]);
            expect(phases, `${source} ${part} in round ${round} went back to the state before`).toEqual([...phases].sort());
          }
        }

        // One audit event for the one success, by the winner, chained to the start.
        const events = await db.prisma.auditEvent.findMany({ where: { id: { gt: lastAudit } }, orderBy: { id: "asc" } });
        expect(events.map((e) => [e.action, e.entityId, e.actorLabel])).toEqual([[`rollout.${action}`, ro.id, winner.racer]]);
        const startEvent = await db.prisma.auditEvent.findFirstOrThrow({ where: { entityId: ro.id, action: "rollout.start" } });
        expect(events[0].before).toEqual(startEvent.after);
        expect(events[0].before).toEqual(before.rollout);
        expect(events[0].after).toEqual(finalRollout);

        if (expected.active) await applyRolloutAction(db.prisma, system, ro.id, "abort", { reason: "clear the stage for the next round" });
      }
    } finally {
      await srv.close();
    }
    console.info(`[rollout-races] ${MIXES.length} rounds × ${RACERS} actions in ${((performance.now() - started) / 1000).toFixed(1)} s; winners: ${winners.join(", ")}; ${observations} reader observations`);
  });
});

// Bugs these races found, each as the smallest test that shows it.
describe("found by the races", () => {
  it("GET /api/admin/configs/{key} answers one state even when an action commits between its reads", async () => {
    // getConfig read the config row, then the active rollout, in separate statements outside a
    // transaction: a promote committed in between gave a config still routing 10 % to an
    // "active" rollout that was already promoted. The reads now share one snapshot.
    const ro = await runningRollout("torn-read");
    interleave.beforeNextRolloutRead = () => applyRolloutAction(db.prisma, operator(1), ro.id, "promote", {});
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
    await applyRolloutAction(db.prisma, operator(1), ro.id, "pause", {});
    const res = await call(configRollback.POST, "POST", { auth: await adminKey(db.prisma), params: { key: "stale-rollback" }, body: { reason: "stale", revision } });
    expect(res.status).toBe(409);
    expect(res.body.error.current).toMatchObject({ id: ro.id, status: "paused" });
  });
});

/** The rollout as GET /api/admin/configs/{key} summarizes it (`config.activeRollout`). */
const summaryOf = (r: Record<string, unknown>) => ({ id: r.id, status: r.status, currentStage: r.currentStage, stageStartedAt: r.stageStartedAt, pausedAt: r.pausedAt, canaryVersion: r.canaryVersion });

function isDeepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
