import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { gatewayRecorderStatus } from "@/lib/gateway/registry";
import { freePort } from "@/lib/db/postgres-cluster";
import { waitFor } from "../helpers/client-api-server";
import { startGatewayFixture, type GatewayFixture } from "../helpers/gateway-fixture";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../helpers/throwaway-postgres";

// The database stops under a running gateway: calls keep being answered from the last snapshot,
// their outcomes wait in memory up to the recorder's bound (the rest are counted and logged as
// dropped), and are stored once the database is back. A clean stop stores what is still waiting.

const MAX_BUFFERED = 5;

let pg: ThrowawayPostgres;
let db: Database;
let fx: GatewayFixture;
const logged: string[] = [];

beforeAll(async () => {
  pg = startThrowawayPostgres(await freePort());
  db = await openDatabase({ url: pg.url });
  await applyMigrations(db);
  // No flush timer: outcomes leave the buffer only when flushed or stopped, so what waits is known.
  fx = await startGatewayFixture({ recorder: { maxBuffered: MAX_BUFFERED, flushIntervalMs: 3_600_000 }, log: (line) => logged.push(line) }, db);
  await fx.config("chat");
}, 120_000);
afterAll(async () => {
  await fx?.close();
  await db?.close().catch(() => undefined);
  pg?.destroy();
});

async function call(user: string): Promise<string> {
  const { response } = await fx.client.chat.completions.create({ model: "chat", user, messages: [{ role: "user", content: "hi" }] }).withResponse();
  return response.headers.get("x-canary-request-id")!;
}

const stored = async (ids: readonly string[]) => (await db.prisma.outcome.findMany({ where: { requestId: { in: [...ids] } }, select: { requestId: true } })).map((o) => o.requestId).sort();

describe("with the database down", () => {
  it("keeps answering, keeps outcomes up to its bound, counts and logs the rest, and stores the kept ones when the database is back", async () => {
    const before = await call("u-0");
    await fx.srv.gateway.recorder.flush();
    expect(await stored([before])).toEqual([before]);

    pg.stop();
    await waitFor(async () => !fx.srv.api.store.live, 15_000);
    const during: string[] = [];
    for (let i = 1; i <= MAX_BUFFERED + 3; i++) during.push(await call(`u-${i}`)); // every call answered
    const { buffered, inFlight, dropped } = fx.srv.gateway.recorder.stats();
    expect([buffered + inFlight, dropped]).toEqual([MAX_BUFFERED, 3]);
    // What /api/health reports, from Next's copy of the modules as from this one.
    expect(gatewayRecorderStatus()).toEqual(fx.srv.gateway.recorder.stats());
    // Logged once per burst of drops (here each call is its own burst), with the count.
    const droppedLogged = () => logged.map((line) => /^(\d+) gateway outcome\(s\) dropped: 5 were already waiting/.exec(line)).reduce((n, m) => n + Number(m?.[1] ?? 0), 0);
    await waitFor(async () => droppedLogged() === 3, 5_000);

    // A flush while the database is down keeps retrying the batch; it resolves once the database is back.
    const flushed = fx.srv.gateway.recorder.flush();
    pg.start();
    await flushed;
    expect(await stored(during)).toEqual(during.slice(0, MAX_BUFFERED).sort());
    expect(fx.srv.gateway.recorder.stats()).toMatchObject({ buffered: 0, inFlight: 0, delivered: 1 + MAX_BUFFERED, dropped: 3 });
  }, 90_000);

  it("stores the outcomes still waiting when it is stopped cleanly", async () => {
    const ids = [await call("late-1"), await call("late-2"), await call("late-3")];
    expect(fx.srv.gateway.recorder.stats().buffered).toBe(3); // not stored yet: batched
    await fx.srv.close();
    expect(await stored(ids)).toEqual([...ids].sort());
    expect(gatewayRecorderStatus()).toBeNull(); // a stopped gateway reports nothing
  });
});
