import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actOnRollout } from "@/lib/analysis/rollout-actions";
import type { Actor } from "@/lib/auth/actor";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-key-service";
import type { Database } from "@/lib/db/client";
import { setPrice } from "@/lib/pricing/service";
import { createConfig, updateConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createScore } from "@/lib/release/score-service";
import { createVersion } from "@/lib/release/version-service";
import { readChangeMarker } from "@/lib/snapshot/repo";
import type { Snapshot } from "@/lib/snapshot/snapshot";
import { SnapshotStore } from "@/lib/snapshot/store";
import { waitFor } from "../helpers/client-api-server";
import { openCountingDatabase, type CountingDatabase, type Statement } from "../helpers/counting-database";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Each instance reloads only what a change names (lib/snapshot/changes.ts), in one statement: the
// statements a reload sends are counted on the driver's connections and must read the changed
// config's (or key's) rows alone, however much else and however much history the database holds. Two
// instances that heard a burst of changes across many configs hold the same snapshot as an
// instance that loads everything afresh, without a full reload of their own.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const llm = { model: "gpt-4o", systemPrompt: "Hi.", temperature: 0.7, maxTokens: 64 };
const quiet = { pollMs: 600_000, log: () => undefined }; // no polling: only notifications move them

let db: TestDatabase;
const opened: { stop(): Promise<void> }[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const o of opened.reverse()) await o.stop();
  await db?.close();
});

async function startStore(database: Database): Promise<SnapshotStore> {
  const store = new SnapshotStore(database, quiet);
  await store.start();
  opened.push(store);
  return store;
}

/** Resolves once `store` has applied every change committed so far. */
async function caughtUp(store: SnapshotStore): Promise<void> {
  const marker = await readChangeMarker(db.prisma);
  await waitFor(async () => store.loads.applied >= marker, 20_000);
}

/** A config with a stable version and `rollouts` ended rollouts behind it (alternately promoted and rolled back). */
async function configWithHistory(key: string, rollouts: number): Promise<string> {
  const config = await createConfig(db.prisma, system, { key, name: key });
  await createVersion(db.prisma, system, key, { ...llm, label: "v0" });
  for (let i = 1; i <= rollouts; i++) {
    const canary = await createVersion(db.prisma, system, key, { ...llm, label: `v${i}`, temperature: i / 10 });
    const rollout = await startRollout(db.prisma, system, key, { canaryVersionId: canary.id });
    await actOnRollout(db.prisma, system, rollout.id, i % 2 ? "promote" : "rollback", { reason: "history" });
  }
  return config.id;
}

/**
 * The ids of one kind (`cfg_`, `key_`) among the values of the rows a statement returned, inside
 * text values too (a config's latest rollouts come as one JSON array).
 */
function idsIn(statements: readonly Statement[], prefix: string): Set<string> {
  const ids = new Set<string>();
  const pattern = new RegExp(`(?<![a-z0-9_])${prefix}[0-9a-z]+`, "g");
  for (const { rows } of statements) for (const row of rows) for (const value of row) if (typeof value === "string") for (const [id] of value.matchAll(pattern)) ids.add(id);
  return ids;
}

/**
 * The versions whose settings the statements returned: the objects with `messages` inside the
 * JSON text values (lib/snapshot/repo.ts reads a config's live versions into its row).
 */
function versionsRead(statements: readonly Statement[]): Set<string> {
  const ids = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      if ("messages" in value && "id" in value) ids.add(String(value.id));
      Object.values(value).forEach(walk);
    }
  };
  for (const { rows } of statements)
    for (const row of rows)
      for (const value of row) {
        if (typeof value !== "string" || !/^[[{]/.test(value)) continue;
        walk(JSON.parse(value));
      }
  return ids;
}
const rowCount = (statements: readonly Statement[]) => statements.reduce((n, s) => n + s.rows.length, 0);

describe("a change reloads what it names", () => {
  let counting: CountingDatabase;
  let store: SnapshotStore;
  const configIds: string[] = [];
  let keyIds: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 12; i++) configIds.push(await configWithHistory(`history-${i}`, 5));
    keyIds = await Promise.all([1, 2, 3, 4, 5].map(async (i) => (await createApiKey(db.prisma, system, { name: `k${i}`, scopes: ["route"] })).apiKey.id));
    counting = await openCountingDatabase(db.url);
    opened.push({ stop: () => counting.close() });
    store = await startStore(counting.db);
  });

  it("loads everything once at start-up, history excluded: each config's live versions and latest rollouts", () => {
    expect(store.loads).toMatchObject({ full: 1, partial: 0 });
    // 12 configs × (5 rollouts + 6 versions) in the database; the load read 4 rollouts of each and its one live version.
    expect(idsIn(counting.statements, "ro_").size).toBe(12 * 4);
    expect(versionsRead(counting.statements).size).toBe(12);
  });

  it("reloads one config's rows only when that config changes", async () => {
    counting.statements.length = 0;
    await updateConfig(db.prisma, system, "history-7", { samplePolicy: { keep: "fraction", fraction: 0.5 } });
    await caughtUp(store);
    expect(store.loads).toMatchObject({ full: 1, partial: 1 });
    expect(idsIn(counting.statements, "cfg_")).toEqual(new Set([configIds[7]]));
    expect(idsIn(counting.statements, "key_").size).toBe(0);
    // One statement, no transaction: the config with its live versions not held yet (none here),
    // active rollout, latest rollouts and scores, as one row.
    expect(counting.statements).toHaveLength(1);
    expect(rowCount(counting.statements)).toBe(1);
    expect(versionsRead(counting.statements).size).toBe(0);
    expect(store.current.configsByKey.get("history-7")!.samplePolicy).toEqual({ keep: "fraction", fraction: 0.5 });
  });

  it("reads the new live version of a rollout started, and nothing for a version that is not live", async () => {
    counting.statements.length = 0;
    const v = await createVersion(db.prisma, system, "history-3", { ...llm, label: "later" });
    await caughtUp(store);
    expect(counting.statements).toEqual([]); // a new version changes nothing an instance holds
    await startRollout(db.prisma, system, "history-3", { canaryVersionId: v.id });
    await caughtUp(store);
    expect(idsIn(counting.statements, "cfg_")).toEqual(new Set([configIds[3]]));
    expect(counting.statements).toHaveLength(1);
    expect(versionsRead(counting.statements)).toEqual(new Set([v.id])); // the stable one is held already
    expect(store.current.configsByKey.get("history-3")!.canary!.id).toBe(v.id);
  });

  it("reloads one key only when that key changes", async () => {
    counting.statements.length = 0;
    await revokeApiKey(db.prisma, system, keyIds[2]);
    await caughtUp(store);
    expect(idsIn(counting.statements, "key_")).toEqual(new Set([keyIds[2]]));
    expect(idsIn(counting.statements, "cfg_").size).toBe(0);
    expect(counting.statements).toHaveLength(1);
    expect(rowCount(counting.statements)).toBe(1);
    expect([...store.current.keysBySelector.values()].find((k) => k.id === keyIds[2])!.revoked).toBe(true);
  });
});

describe("the polled change marker", () => {
  it("finds a change no notification announced, listens anew and reloads everything", async () => {
    const logged: string[] = [];
    const store = new SnapshotStore(db, { pollMs: 50, log: (m) => logged.push(m) });
    await store.start();
    opened.push(store);
    // A key written as the service writes it, the marker bumped, but no NOTIFY: a lost notification.
    await db.prisma.$transaction(async (tx) => {
      await tx.apiKey.create({ data: { id: "key_unannounced", name: "unannounced", selector: "unannounced", secretHash: "0".repeat(64), scopes: ["route"], createdByLabel: "test" } });
      await tx.$executeRaw`UPDATE change_marker SET seq = seq + 1`;
    });
    await waitFor(async () => store.current.keysBySelector.has("unannounced"), 20_000);
    expect(store.loads.full).toBe(2);
    expect(logged.some((m) => /committed but not announced; reconnecting/.test(m))).toBe(true);
  });

  it("reloads everything when the marker goes back, and hears the changes numbered from there", async () => {
    const logged: string[] = [];
    const store = new SnapshotStore(db, { pollMs: 50, log: (m) => logged.push(m) });
    await store.start();
    opened.push(store);
    await db.prisma.$executeRaw`UPDATE change_marker SET seq = 1`; // as a database restored from an old backup
    await waitFor(async () => logged.some((m) => /went back/.test(m)) && store.loads.applied === 1, 20_000);
    await updateConfig(db.prisma, system, "history-1", { gatewayClientOverrides: true });
    await caughtUp(store);
    expect(store.current.configsByKey.get("history-1")!.gateway.clientOverrides).toBe(true);
  });
});

/** What a snapshot holds, in a form two snapshots can be compared by. */
function contentOf(snapshot: Snapshot) {
  const byKey = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => a.localeCompare(b));
  const configs = byKey(snapshot.configsByKey).map(([key, c]) => ({
    key,
    byId: snapshot.configsById.get(c.id) === c,
    id: c.id,
    revision: c.revision,
    gateway: c.gateway,
    stable: c.stable && [c.stable.id, c.stable.llmJson],
    canary: c.canary && [c.canary.id, c.canary.llmJson],
    rollout: c.rollout,
    rollouts: c.rollouts,
    olderRolloutsEndedAt: c.olderRolloutsEndedAt,
    scores: byKey(c.scores),
  }));
  return { configs, keys: byKey(snapshot.keysBySelector), prices: byKey(snapshot.prices), providers: byKey(snapshot.providers).map(([id, p]) => [id, p.name]) };
}

describe("two instances under a burst of changes", () => {
  it("agree with each other and with a fresh load after 500 changes across 100 configs, from notifications alone", async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `burst-${i}`);
    for (const key of keys) {
      await createConfig(db.prisma, system, { key, name: key });
      await createVersion(db.prisma, system, key, { ...llm, label: "v1" });
    }
    const a = await startStore(db);
    const b = await startStore(db);
    // Five changes to each config, in order per config, ten configs changing at once: a new
    // version, a rollout of it, a pause or an advance, a promotion or a rollback, and last a
    // score or a gateway setting (no later change reloads that config again). Keys and prices
    // change in between.
    const steps = [
      async (key: string) => ({ canary: (await createVersion(db.prisma, system, key, { ...llm, label: "v2", model: "gpt-4o-mini" })).id }),
      async (key: string, s: { canary?: string }) => ({ ...s, rollout: (await startRollout(db.prisma, system, key, { canaryVersionId: s.canary! })).id }),
      async (_key: string, s: { rollout?: string }, i: number) => (await actOnRollout(db.prisma, system, s.rollout!, i % 3 ? "advance" : "pause", {}), s),
      async (_key: string, s: { rollout?: string }, i: number) => (await actOnRollout(db.prisma, system, s.rollout!, i % 2 ? "promote" : "rollback", { reason: "burst" }), s),
      async (key: string, s: object, i: number) => {
        if (i % 2) await createScore(db.prisma, system, key, { key: "helpful", label: "Helpful", kind: "boolean" });
        else await updateConfig(db.prisma, system, key, { samplePolicy: { keep: "fraction", fraction: 0.25 }, gatewayClientOverrides: true });
        return s;
      },
    ];
    let changes = 0;
    let others = 0; // keys made and revoked, prices set
    const keyIds: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, worker) => {
        const mine = keys.filter((_, i) => i % 10 === worker);
        const state = new Map<string, object>(mine.map((key) => [key, {}]));
        for (const [n, step] of steps.entries()) {
          for (const key of mine) {
            state.set(key, await step(key, state.get(key)!, keys.indexOf(key)));
            changes++;
          }
          const made = await createApiKey(db.prisma, system, { name: `burst ${worker}.${n}`, scopes: ["route", "metrics"] });
          keyIds.push(made.apiKey.id);
          if (n % 2) await revokeApiKey(db.prisma, system, keyIds[(worker * 7 + n) % keyIds.length]);
          await setPrice(db.prisma, system, { model: `model-${worker % 4}`, inputUsdPerMillion: n + 1, outputUsdPerMillion: worker + 1 });
          others += n % 2 ? 3 : 2;
        }
      }),
    );
    expect(changes).toBe(500);
    await Promise.all([caughtUp(a), caughtUp(b)]);
    const fresh = await startStore(db);
    expect(contentOf(a.current)).toEqual(contentOf(fresh.current));
    expect(contentOf(b.current)).toEqual(contentOf(fresh.current));
    // Every change arrived by notification and was loaded alone or with others, never by a full reload.
    for (const store of [a, b]) {
      expect(store.loads.full).toBe(1);
      expect(store.loads.partial).toBeGreaterThan(0);
    }
    console.info(`[snapshot-changes] burst: partial loads A ${a.loads.partial}, B ${b.loads.partial} for ${changes} config changes and ${others} key and price changes`);
    // The burst did move things: every config has its second version live, half of them as stable.
    expect([...fresh.current.configsByKey.values()].filter((c) => c.key.startsWith("burst-") && c.stable?.llm.model === "gpt-4o-mini")).toHaveLength(50);
  }, 300_000); // some 800 service calls: minutes on a busy machine
});
