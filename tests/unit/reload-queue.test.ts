import { describe, expect, it } from "vitest";
import { parseNotice, type Notice } from "@/lib/snapshot/changes";
import { ReloadQueue } from "@/lib/snapshot/reload-queue";
import type { ReloadScope } from "@/lib/snapshot/repo";

// Which loads a snapshot runs after which notifications (lib/snapshot/reload-queue.ts), with a
// load whose every call the test sees and finishes by hand.

function harness() {
  const calls: { scope: ReloadScope | null; finish(seq?: number): void; fail(): void }[] = [];
  let running = 0;
  let most = 0;
  const queue = new ReloadQueue(
    (scope) =>
      new Promise<number | null>((resolve, reject) => {
        running++;
        most = Math.max(most, running);
        const done = () => running--;
        calls.push({ scope, finish: (seq = 0) => (done(), resolve(scope ? null : seq)), fail: () => (done(), reject(new Error("down"))) });
      }),
    () => undefined,
  );
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  return { queue, calls, tick, most: () => most };
}

const config = (seq: number, id: string): Notice => ({ seq, item: { kind: "configIds", id } });

describe("reloading what notifications name", () => {
  it("loads everything first, then only the items named, coalesced while a load runs, one load at a time", async () => {
    const { queue, calls, tick, most } = harness();
    const started = queue.requestFull();
    queue.note(config(11, "cfg_a")); // heard while the first load runs; it read up to 10
    calls[0].finish(10);
    await started;
    await tick();
    expect(calls[1].scope).toEqual({ configIds: ["cfg_a"], keyIds: [], providerIds: [], models: [] });
    queue.note(config(12, "cfg_b"));
    queue.note({ seq: 13, item: { kind: "keyIds", id: "key_1" } });
    queue.note(config(14, "cfg_b"));
    expect(calls).toHaveLength(2); // waits for the load in flight
    calls[1].finish();
    await tick();
    expect(calls[2].scope).toEqual({ configIds: ["cfg_b"], keyIds: ["key_1"], providerIds: [], models: [] });
    expect(queue.applied).toBe(11);
    calls[2].finish();
    await queue.whenApplied(14);
    expect(calls).toHaveLength(3);
    expect(most()).toBe(1);
    expect(queue.counts).toEqual({ full: 1, partial: 2 });
  });

  it("skips what a full load already read, and counts a change that reloads nothing as applied", async () => {
    const { queue, calls, tick } = harness();
    const started = queue.requestFull();
    queue.note(config(4, "cfg_a")); // committed before the load read the marker (5)
    calls[0].finish(5);
    await started;
    queue.note({ seq: 6, item: null }); // a new version: nothing to load
    await queue.whenApplied(6);
    await tick();
    expect(calls).toHaveLength(1);
  });

  it("reloads everything for a notice not understood or one that skips a number", async () => {
    const { queue, calls, tick } = harness();
    const started = queue.requestFull();
    calls[0].finish(3);
    await started;
    queue.note(config(5, "cfg_a")); // 4 never came
    await tick();
    expect(calls[1].scope).toBeNull();
    calls[1].finish(5);
    await tick();
    queue.note(parseNotice("{not json"));
    await tick();
    expect(calls[2].scope).toBeNull();
  });

  it("keeps the items of a failed load waiting for the next try, and lets waiters go on meanwhile", async () => {
    const { queue, calls, tick } = harness();
    const started = queue.requestFull();
    calls[0].finish(1);
    await started;
    queue.note(config(2, "cfg_a"));
    const waiting = queue.whenApplied(2);
    await tick();
    calls[1].fail();
    await waiting; // gave up with the snapshot it has
    expect(queue.applied).toBe(1);
    queue.kick();
    await tick();
    expect(calls[2].scope?.configIds).toEqual(["cfg_a"]);
    calls[2].finish();
    await queue.whenApplied(2);
  });
});

describe("a change marker that went back", () => {
  it("forgets the numbers heard, reloads everything, and then hears the lower numbers", async () => {
    const { queue, calls, tick } = harness();
    const started = queue.requestFull();
    calls[0].finish(40);
    await started;
    const restarted = queue.restart();
    await tick();
    calls[1].finish(3);
    await restarted;
    queue.note(config(4, "cfg_a"));
    await tick();
    expect(calls[2].scope?.configIds).toEqual(["cfg_a"]);
  });
});

describe("notification payloads", () => {
  it("names the item each change reloads", () => {
    expect(parseNotice('{"seq": 7, "kind": "config", "configId": "cfg_1", "revision": 3}')).toEqual(config(7, "cfg_1"));
    expect(parseNotice('{"seq": 8, "kind": "score", "configId": "cfg_1", "scoreKey": "s"}')).toEqual(config(8, "cfg_1"));
    expect(parseNotice('{"seq": 9, "kind": "version", "configId": "cfg_1", "versionId": "ver_1"}')).toEqual({ seq: 9, item: null });
    expect(parseNotice('{"seq": 10, "kind": "api_key", "apiKeyId": "key_1"}')).toEqual({ seq: 10, item: { kind: "keyIds", id: "key_1" } });
    expect(parseNotice('{"seq": 11, "kind": "price", "model": "gpt-4o"}')).toEqual({ seq: 11, item: { kind: "models", id: "gpt-4o" } });
    expect(parseNotice('{"seq": 12, "kind": "provider", "providerId": "prv_1"}')).toEqual({ seq: 12, item: { kind: "providerIds", id: "prv_1" } });
  });

  it("understands nothing without a seq, a kind it knows or the id the kind needs", () => {
    for (const payload of ['{"kind": "config", "configId": "cfg_1"}', '{"seq": 1, "kind": "toString"}', '{"seq": 1, "kind": "config"}', '{"seq": 0, "kind": "price", "model": "m"}', "", "[]"]) {
      expect(parseNotice(payload)).toBeNull();
    }
  });
});
