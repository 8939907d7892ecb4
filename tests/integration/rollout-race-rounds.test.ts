import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as rolloutAction from "@/app/api/admin/rollouts/[id]/[action]/route";
import * as rolloutOne from "@/app/api/admin/rollouts/[id]/route";
import * as configRollback from "@/app/api/admin/configs/[key]/rollback/route";
import * as configOne from "@/app/api/admin/configs/[key]/route";
import * as configRollouts from "@/app/api/admin/configs/[key]/rollouts/route";
import { actOnRollout } from "@/lib/analysis/rollout-actions";
import type { Actor } from "@/lib/auth/actor";
import { parseApiKey } from "@/lib/auth/api-keys";
import { setDatabase } from "@/lib/db/client";
import { createConfig } from "@/lib/release/config-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call, sessionFor, type CallOptions } from "../helpers/call";
import { send, startClientApiServer, waitFor } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Round after round, 50 conflicting actions from several sessions and a key race on one rollout
// through the admin route handlers, while readers (admin API, client API snapshot, the rows)
// record every state they see: exactly one action wins, the losers are told the state they lost
// to, every observed state is the one before or after the winning action, and the audit chain
// tells the same story. (Smaller races and the bugs they found: rollout-races.test.ts.)

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db); // the route handlers read the database through getDatabase()
});
afterAll(async () => {
  await db?.close();
});

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

describe("50 conflicting actions through the admin API, round after round, while readers watch", () => {
  const RACERS = 50;
  const STAGES = [10, 50, 100].map((percent) => ({ percent, minDurationSec: 0, minSamples: 0 }));
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
        // A config rollback acts on whatever is active, so it is told the config's state (see "found by the races" in rollout-races.test.ts).
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
          expectBeforeThenAfter(states, before[source], after[source], `${source} in round ${round}`);
        }

        // One audit event for the one success, by the winner, chained to the start.
        const events = await db.prisma.auditEvent.findMany({ where: { id: { gt: lastAudit } }, orderBy: { id: "asc" } });
        expect(events.map((e) => [e.action, e.entityId, e.actorLabel])).toEqual([[`rollout.${action}`, ro.id, winner.racer]]);
        const startEvent = await db.prisma.auditEvent.findFirstOrThrow({ where: { entityId: ro.id, action: "rollout.start" } });
        expect(events[0].before).toEqual(startEvent.after);
        expect(events[0].before).toEqual(before.rollout);
        expect(events[0].after).toEqual(finalRollout);

        if (expected.active) await actOnRollout(db.prisma, system, ro.id, "abort", { reason: "clear the stage for the next round" });
      }
    } finally {
      await srv.close();
    }
    console.info(`[rollout-races] ${MIXES.length} rounds × ${RACERS} actions in ${((performance.now() - started) / 1000).toFixed(1)} s; winners: ${winners.join(", ")}; ${observations} reader observations`);
  });
});

/** Each state a reader saw is the one before the winning action or the one after it, and once after, never before again. */
function expectBeforeThenAfter(states: unknown[], was: unknown, is: unknown, what: string): void {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const phases = states.map((state) => (same(state, was) ? 0 : same(state, is) ? 1 : -1));
  expect(states.filter((_, i) => phases[i] === -1), `${what}: neither the state before (${JSON.stringify(was)}) nor after (${JSON.stringify(is)})`).toEqual([]);
  expect(phases, `${what} went back to the state before`).toEqual([...phases].sort());
}
