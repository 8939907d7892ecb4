import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { consoleCollector } from "@/lib/server/gc-tuning";

// The console thread's garbage collections (lib/server/gc-tuning.ts), seen as V8 reports them:
// forced ones carry NODE_PERFORMANCE_GC_FLAGS_FORCED, which V8's own collections never do.

let forced: number;
let observer: PerformanceObserver;

beforeEach(() => {
  forced = 0;
  observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { flags?: number } })[]) {
      if ((entry.detail?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forced++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
});

afterEach(() => observer.disconnect());

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the console thread's collector", () => {
  it("collects once its last request has ended for idleMs, not while one is in flight", async () => {
    const collector = consoleCollector(100, 60_000);
    collector.started();
    collector.started();
    collector.ended(); // one still in flight
    await wait(250);
    expect(forced).toBe(0);
    collector.ended();
    await wait(50);
    expect(forced).toBe(0); // not before idleMs
    await wait(250);
    expect(forced).toBe(1);
  });

  it("while busy, collects at most once per busyMs, however many requests start", async () => {
    const collector = consoleCollector(60_000, 200);
    for (let i = 0; i < 20; i++) collector.started();
    await wait(100);
    expect(forced).toBe(0); // busyMs has not passed since it was made
    await wait(150);
    for (let i = 0; i < 20; i++) collector.started();
    await wait(100);
    expect(forced).toBe(1);
  });
});
