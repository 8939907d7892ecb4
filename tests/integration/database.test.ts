import { readdirSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditEvent } from "@/lib/audit/repo";
import { checkDatabase } from "@/lib/db/health";
import { createConfig } from "@/lib/release/config-service";
import { applyMigrations } from "@/lib/db/migrate";
import { MIGRATIONS_DIR } from "@/lib/db/paths";
import { waitFor } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const system = { type: "system", id: null, label: "test", scopes: [] } as const;

async function configWithTwoVersions(key: string) {
  const config = await db.prisma.config.create({ data: { id: `cfg_${key}`, key, name: key } });
  const base = { configId: config.id, model: "gpt-4o", messages: [{ role: "system", content: "Be brief." }], systemPrompt: "Be brief.", temperature: 0.7, topP: 1, maxTokens: 512, authorLabel: "test" };
  const v1 = await db.prisma.version.create({ data: { ...base, id: `ver_${key}_1`, label: "v1" } });
  const v2 = await db.prisma.version.create({ data: { ...base, id: `ver_${key}_2`, label: "v2", temperature: 0.5 } });
  return { config, v1, v2 };
}

function rolloutData(configId: string, canary: string, base: string, id: string) {
  return {
    id,
    configId,
    canaryVersionId: canary,
    baseVersionId: base,
    status: "running" as const,
    stages: [{ percent: 1, minDurationSec: 600, minCanarySamples: 100 }],
    stageStartedAt: new Date(),
    salt: id,
    thresholds: {},
    startedBy: "test",
  };
}

describe("migrations", () => {
  it("records every migration folder as applied, the way prisma migrate deploy does", async () => {
    const folders = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const health = await checkDatabase(db);
    expect(health.reachable).toBe(true);
    expect(health.migrations.applied).toEqual(folders.sort());
    expect(health.migrations.pending).toEqual([]);
    const rows = await db.prisma.$queryRaw<{ checksum: string }[]>`SELECT checksum FROM _prisma_migrations`;
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
  });

  it("applies nothing the second time", async () => {
    expect(await applyMigrations(db)).toEqual([]);
  });
});

describe("invariants the database enforces", () => {
  it("allows at most one active rollout per config", async () => {
    const { config, v1, v2 } = await configWithTwoVersions("one-active");
    await db.prisma.rollout.create({ data: rolloutData(config.id, v2.id, v1.id, "ro_first") });
    await expect(db.prisma.rollout.create({ data: rolloutData(config.id, v2.id, v1.id, "ro_second") })).rejects.toMatchObject({
      code: "P2002",
    });
    // A paused rollout is active too.
    await db.prisma.rollout.update({ where: { id: "ro_first" }, data: { status: "paused" } });
    await expect(db.prisma.rollout.create({ data: rolloutData(config.id, v2.id, v1.id, "ro_third") })).rejects.toMatchObject({
      code: "P2002",
    });
    // Once it ends, a new one may start.
    await db.prisma.rollout.update({ where: { id: "ro_first" }, data: { status: "rolled_back", endedAt: new Date() } });
    await db.prisma.rollout.create({ data: rolloutData(config.id, v2.id, v1.id, "ro_fourth") });
    expect(await db.prisma.rollout.count({ where: { configId: config.id } })).toBe(2);
  });

  it("refuses to change a version", async () => {
    const { v1 } = await configWithTwoVersions("immutable");
    await expect(db.prisma.version.update({ where: { id: v1.id }, data: { messages: [{ role: "system", content: "changed" }] } })).rejects.toThrow(
      /versions are immutable/,
    );
    expect((await db.prisma.version.findUniqueOrThrow({ where: { id: v1.id } })).messages).toEqual([{ role: "system", content: "Be brief." }]);
  });

  it("keeps audit events append-only", async () => {
    await db.prisma.$transaction((tx) =>
      appendAuditEvent(tx, { actor: system, action: "test.event", entityType: "test", entityId: "t1", after: { at: new Date(0) } }),
    );
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { entityId: "t1" } });
    expect(event.after).toEqual({ at: "1970-01-01T00:00:00.000Z" });
    await expect(db.prisma.auditEvent.update({ where: { id: event.id }, data: { reason: "edited" } })).rejects.toThrow(/append-only/);
    await expect(db.prisma.auditEvent.delete({ where: { id: event.id } })).rejects.toThrow(/append-only/);
    await expect(db.prisma.$executeRawUnsafe("TRUNCATE audit_events")).rejects.toThrow(/append-only/);
    expect(await db.prisma.auditEvent.count({ where: { entityId: "t1" } })).toBe(1);
  });

  it("keeps request ids unique per config in outcome_keys (outcomes is partitioned by day, so cannot)", async () => {
    const { config } = await configWithTwoVersions("outcomes");
    const key = { configId: config.id, requestId: "r1", at: new Date(), outcomeId: 1n };
    await db.prisma.outcomeKey.create({ data: key });
    await expect(db.prisma.outcomeKey.create({ data: { ...key, at: new Date(Date.now() - 86_400_000), outcomeId: 2n } })).rejects.toMatchObject({ code: "P2002" });
  });
});

describe("the connection pool", () => {
  it("lets a transaction wait for a connection while every pooled one is busy, as a plain query waits", async () => {
    // The pool's ten connections held for 3 s: past Prisma's default 2 s for a transaction to start.
    const held = Array.from({ length: 10 }, () => db.prisma.$transaction((tx) => tx.$executeRaw`SELECT pg_sleep(3)`, { timeout: 20_000 }));
    // Once all ten sleep (seen on a connection of its own: the pool has none left), the config must wait.
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    const sleeping = async () =>
      (await watcher.query<{ n: number }>("SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(3)%' AND state = 'active'")).rows[0].n;
    await waitFor(async () => (await sleeping()) === 10, 10_000).finally(() => watcher.end());
    const created = await createConfig(db.prisma, system, { key: "queued", name: "Queued" });
    expect(created.key).toBe("queued");
    await Promise.all(held);
  }, 30_000);
});
