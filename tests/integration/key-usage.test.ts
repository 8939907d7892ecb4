import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { createApiKey } from "@/lib/auth/api-key-service";
import { KeyUsage } from "@/lib/auth/key-usage";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// lastUsedAt is written in batches by every instance's timer. Two instances flushing overlapping
// sets of keys (in opposite orders) at the same moment must both succeed, and a later flush of an
// older use must not move a time backwards.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const cli: Actor = { type: "system", id: null, label: "cli", scopes: [] };

describe("API key lastUsedAt", () => {
  it("is written by concurrent flushes of overlapping keys, and only moves forward", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await createApiKey(db.prisma, cli, { name: `k${i}`, scopes: ["route"] })).apiKey.id);
    const base = Date.parse("2026-11-26T10:00:00Z");
    for (let round = 0; round < 15; round++) {
      const a = new KeyUsage();
      const b = new KeyUsage();
      ids.forEach((id, i) => a.touch(id, new Date(base + round * 1000 + i)));
      [...ids].reverse().forEach((id, i) => b.touch(id, new Date(base + round * 1000 + 500 + i)));
      await Promise.all([a.flush(db.prisma), b.flush(db.prisma)]);
    }
    const stale = new KeyUsage();
    stale.touch(ids[0], new Date(base));
    await stale.flush(db.prisma);

    const rows = await db.prisma.apiKey.findMany({ where: { id: { in: ids } } });
    const last = base + 14 * 1000;
    for (const row of rows) {
      const i = ids.indexOf(row.id);
      expect(row.lastUsedAt?.getTime()).toBe(Math.max(last + i, last + 500 + (ids.length - 1 - i)));
    }
  });
});
