import { MessageChannel } from "node:worker_threads";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { openDatabase, type Database } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { storeOn, type OutcomeStore } from "@/lib/metrics/ingest-repo";
import { ingestBatch } from "@/lib/metrics/ingest-service";
import { createConfig } from "@/lib/release/config-service";
import { createVersion } from "@/lib/release/version-service";
import type { ConsoleMessage, MainMessage } from "@/lib/server/console-messages";
import { StoreRequests, storeAndAnswer } from "@/lib/server/outcome-store-bridge";
import { loadSnapshot } from "@/lib/snapshot/load";
import { PastLookup } from "@/lib/snapshot/past";
import type { Snapshot } from "@/lib/snapshot/snapshot";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The gateway's outcomes stored on the console's thread (lib/server/outcome-store-bridge.ts):
// ingest on one side of a real message channel, the statement on a real database on the other,
// as the server's two threads do. What the recorder relies on: stored rows answered with how many
// were new, a database that is down answered as 503 (so the batch is kept and sent again), a
// thread that ends or does not answer in time failing every batch it had not answered, and
// batches stored on the main thread's database while there is no thread to send them to.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const key = { name: "gateway", configs: null };

let db: TestDatabase;
let snapshot: Snapshot;
let versionId: string;
let channel: MessageChannel;
let seq = 0;

const events = (n: number) =>
  Array.from({ length: n }, () => ({ requestId: `bridge-${++seq}`, config: "bridged", versionId, rolloutId: null, isError: false, latencyMs: 120, inputTokens: 10, outputTokens: 20 }));

/**
 * The two threads' sides: the main thread's store, and the console thread storing with `store`
 * (null: a thread that never answers). `running` false: there is no thread to send to.
 */
function bridge(store: OutcomeStore | null, options: { running?: boolean; timeoutMs?: number } = {}): { requests: StoreRequests; viaThread: OutcomeStore; received: () => number } {
  channel = new MessageChannel();
  const requests = new StoreRequests(storeOn(db), options.timeoutMs);
  let received = 0;
  channel.port2.on("message", (message: MainMessage) => {
    if (message.type !== "store") return;
    received++;
    if (store) void storeAndAnswer(store, message, (answer) => channel.port2.postMessage(answer));
  });
  channel.port1.on("message", (answer: ConsoleMessage) => {
    if (answer.type === "stored" || answer.type === "storeFailed") requests.answer(answer);
  });
  const post = (message: MainMessage) => channel.port1.postMessage(message);
  return { requests, viaThread: (rows, minutesFrom) => requests.store(options.running === false ? null : post, rows, minutesFrom), received: () => received };
}

const stored = async (ids: string[]) =>
  (await db.prisma.outcome.findMany({ where: { requestId: { in: ids } }, select: { requestId: true, inputTokens: true } })).sort((a, b) => a.requestId.localeCompare(b.requestId));

beforeAll(async () => {
  db = await createTestDatabase();
  await createConfig(db.prisma, system, { key: "bridged", name: "Bridged" });
  versionId = (await createVersion(db.prisma, system, "bridged", { label: "v1", model: "gpt-4o", systemPrompt: "One.", temperature: 0.5, maxTokens: 64 })).id;
  snapshot = (await loadSnapshot(db.prisma, null, null, new PastLookup(db.prisma))).snapshot;
});
afterEach(() => channel?.port1.close());
afterAll(async () => {
  await db?.close();
});

describe("outcomes stored on the console's thread", () => {
  it("stores the batch on the other side and answers how many were new; a batch sent again stores nothing twice", async () => {
    const { viaThread } = bridge(storeOn(db));
    const batch = events(3);
    const first = await ingestBatch(viaThread, snapshot, key, { events: batch });
    expect(first.answer).toEqual({ accepted: 3, duplicates: 0 });
    const ids = batch.map((e) => e.requestId);
    expect(await stored(ids)).toEqual(ids.sort().map((requestId) => ({ requestId, inputTokens: 10 })));
    const again = await ingestBatch(viaThread, snapshot, key, { events: batch });
    expect(again.answer).toEqual({ accepted: 0, duplicates: 3 });
  });

  it("answers a database that is down as 503 database_unavailable, storing nothing", async () => {
    const down: Database = await openDatabase({ url: "postgresql://postgres@127.0.0.1:1/nowhere" });
    try {
      const { viaThread } = bridge(storeOn(down));
      const batch = events(2);
      const refused = await ingestBatch(viaThread, snapshot, key, { events: batch }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AppError);
      expect({ status: (refused as AppError).status, code: (refused as AppError).code }).toEqual({ status: 503, code: "database_unavailable" });
      expect(await stored(batch.map((e) => e.requestId))).toEqual([]);
    } finally {
      await down.close();
    }
  });

  it("fails every batch not answered yet when the thread ends", async () => {
    const { requests, viaThread, received } = bridge(null); // a thread that never answers
    const pending = ingestBatch(viaThread, snapshot, key, { events: events(2) }).catch((error: unknown) => error);
    const other = ingestBatch(viaThread, snapshot, key, { events: events(1) }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(received()).toBe(2)); // both reached the thread
    requests.failAll();
    for (const failed of [await pending, await other]) expect({ status: (failed as AppError).status, code: (failed as AppError).code }).toEqual({ status: 503, code: "console_unavailable" });
  });

  it("fails a batch the thread does not answer in time, and ignores the answer that comes after", async () => {
    const { requests, viaThread } = bridge(null, { timeoutMs: 100 });
    const batch = events(1);
    const failed = await ingestBatch(viaThread, snapshot, key, { events: batch }).catch((error: unknown) => error);
    expect((failed as AppError).message).toMatch(/did not answer within 0.1 s/);
    requests.answer({ type: "stored", id: 1, accepted: 1 }); // late: nothing waits for it any more
    expect(await stored(batch.map((e) => e.requestId))).toEqual([]);
  });

  it("stores on the main thread's database while there is no thread to send to (it is restarting)", async () => {
    const { viaThread } = bridge(null, { running: false });
    const batch = events(2);
    expect((await ingestBatch(viaThread, snapshot, key, { events: batch })).answer).toEqual({ accepted: 2, duplicates: 0 });
    expect((await stored(batch.map((e) => e.requestId))).length).toBe(2);
  });
});
