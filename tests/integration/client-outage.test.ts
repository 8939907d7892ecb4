import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { openDatabase, type Database } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { createConfig } from "@/lib/release/config-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, waitFor, type ClientApiServer } from "../helpers/client-api-server";
import { freePort } from "@/lib/db/postgres-cluster";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../helpers/throwaway-postgres";

// The database stops under a running client API: /api/route keeps answering from the last
// snapshot and says so; /api/metrics and /api/feedback answer 503 with Retry-After and store
// nothing; after the restart everything works again without restarting the app.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

let pg: ThrowawayPostgres;
let db: Database;
let srv: ClientApiServer;
let key: string;
let versionId: string;

beforeAll(async () => {
  pg = startThrowawayPostgres(await freePort());
  db = await openDatabase({ url: pg.url });
  await applyMigrations(db);
  await createConfig(db.prisma, system, { key: "chat", name: "Chat" });
  versionId = (await createVersion(db.prisma, system, "chat", { label: "v1", model: "gpt-4o", systemPrompt: "Hi.", temperature: 0.5, maxTokens: 64 })).id;
  key = await adminKey(db.prisma, ["route", "metrics"]);
  srv = await startClientApiServer(db, 200);
}, 60_000);
afterAll(async () => {
  await srv?.close();
  await db?.close().catch(() => undefined);
  pg?.destroy();
});

const route = () => send(srv.baseUrl, "/api/route", { auth: key, body: { config: "chat", userId: "u-1" } });
const report = (requestId: string) =>
  send(srv.baseUrl, "/api/metrics", { auth: key, body: { events: [{ requestId, config: "chat", versionId, isError: false, latencyMs: 800 }] } });

describe("with the database down", () => {
  it("keeps routing from the last snapshot, refuses outcomes with 503, and recovers by itself", async () => {
    expect((await route()).headers.get("x-canary-snapshot")).toBeNull();
    expect((await report("before")).status).toBe(202);

    pg.stop();
    await waitFor(async () => (await route()).headers.get("x-canary-snapshot") === "stale", 10_000);
    const answer = await route();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ variant: "stable", versionId });
    expect(Number(answer.headers.get("x-canary-snapshot-age"))).toBeGreaterThanOrEqual(0);

    const refused = await report("during");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(refused.body.error).toMatchObject({ code: "database_unavailable" });
    const feedback = await send(srv.baseUrl, "/api/feedback", { auth: key, body: { requestId: "before", rating: 4 } });
    expect(feedback.status).toBe(503);

    pg.start();
    await waitFor(async () => (await route()).headers.get("x-canary-snapshot") === null, 15_000);
    await waitFor(async () => (await report("after")).status === 202, 10_000);
    expect((await report("during")).body).toEqual({ accepted: 1, duplicates: 0 }); // the refused one was not stored
    const stored = await db.prisma.outcome.findMany({ select: { requestId: true }, orderBy: { requestId: "asc" } });
    expect(stored.map((o) => o.requestId)).toEqual(["after", "before", "during"]);
  }, 60_000);
});
