import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actOnRollout } from "@/lib/analysis/rollout-actions";
import type { Actor } from "@/lib/auth/actor";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { readChangeMarker } from "@/lib/snapshot/repo";
import { CHANGE_CHANNEL, type ChangeNotice } from "@/lib/change-notify";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Other app instances learn of changes through LISTEN/NOTIFY: one notification per committed
// change, none for a refused one, each numbered by the change marker: one more per change, in
// commit order, with no number taken by a refused one.

let db: TestDatabase;
let listener: pg.Client | null = null;
const received: ChangeNotice[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  if (!db.url) return;
  listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  listener.on("notification", (n) => received.push(JSON.parse(n.payload!)));
  await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
});
afterAll(async () => {
  await listener?.end();
  await db?.close();
});

/** A notice as the change it announces. */
function withoutSeq(notice: ChangeNotice): Omit<ChangeNotice, "seq"> {
  const change: Partial<ChangeNotice> = { ...notice };
  delete change.seq;
  return change as Omit<ChangeNotice, "seq">;
}

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("change notifications", () => {
  it("announce each committed change (routing with the new revision), and nothing for a refused one", async () => {
    const config = await createConfig(db.prisma, system, { key: "notified", name: "Notified" }); // revision 0
    const base = { model: "gpt-4o", systemPrompt: "Hi.", temperature: 0.7, maxTokens: 64 };
    await createVersion(db.prisma, system, "notified", { ...base, label: "v1" }); // becomes stable: revision 1
    const v2 = await createVersion(db.prisma, system, "notified", { ...base, label: "v2", temperature: 0.1 }); // a new version, no routing change
    const ro = await startRollout(db.prisma, system, "notified", { canaryVersionId: v2.id }); // revision 2
    await actOnRollout(db.prisma, system, ro.id, "pause", {}); // revision 3
    await expect(actOnRollout(db.prisma, system, ro.id, "pause", {})).rejects.toThrow(/already paused/);
    await actOnRollout(db.prisma, system, ro.id, "resume", {}); // revision 4
    // Notifications arrive in commit order: one from the refused pause would come before revision 4.
    await until(() => received.length >= 6);
    const routing = (revision: number) => ({ kind: "config", configId: config.id, revision });
    expect(received.map((notice) => withoutSeq(notice))).toEqual([
      routing(0), routing(1), { kind: "version", configId: config.id, versionId: v2.id }, routing(2), routing(3), routing(4),
    ]);
    const first = received[0].seq;
    expect(received.map((n) => n.seq)).toEqual([0, 1, 2, 3, 4, 5].map((i) => first + i));
    expect(await readChangeMarker(db.prisma)).toBe(first + 5);
  });
});
