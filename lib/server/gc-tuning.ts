import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// Two of V8's heuristics off for the server, because both made the gateway's short-lived per-call
// objects outlive young-generation collections and die in the old generation, where the full
// collections they fed (4-15 ms) held every call in flight back (measured on bench:gateway's whole
// answers, with --trace-gc-nvp; README, bench:gateway):
// - Allocation-site pretenuring: when most objects made at one place in the code survive a
//   scavenge, V8 makes that place's objects in the old generation from then on. The gateway's
//   objects come from places shared with long-lived data. On: 1.0-3.1 MB promoted per scavenge;
//   off: 0.15-0.2 MB.
// - The memory reducer: after the start, once the server idles, it shrinks the heap; a gateway
//   that then gets traffic promoted 0.9 MB per scavenge, against 0.2 MB with it off.
// Both are read while the program runs, so setting them as the server starts works.

export function tuneGarbageCollector(): void {
  setFlagsFromString("--no-allocation-site-pretenuring");
  setFlagsFromString("--no-memory-reducer");
}

/**
 * With the memory reducer off, an isolate keeps its garbage until its next full collection is
 * due, which for the console's thread, whose heap V8 lets grow a long way first, can be long after
 * a burst of pages and admin calls: 30-40 MB of its old generation (measured after 110 admin API
 * changes). Collected here `idleMs` after the thread's last request ended, and while requests keep
 * coming at most every `busyMs` (a full collection of the console's heap takes tens of
 * milliseconds of its own thread; the gateway's thread does not pause for it).
 */
export function consoleCollector(idleMs: number, busyMs: number): { started(): void; ended(): void } {
  // V8's `gc` function, exposed in one fresh context only (the flag is off again for any later one).
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  setFlagsFromString("--no-expose-gc");
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let collectedAt = performance.now();
  const collect = () => {
    collectedAt = performance.now();
    gc();
  };
  return {
    started() {
      inFlight++;
      clearTimeout(timer);
      // Marked as collected when scheduled, so a burst of requests schedules one collection.
      if (performance.now() - collectedAt > busyMs) {
        collectedAt = performance.now();
        setImmediate(gc);
      }
    },
    ended() {
      if (--inFlight > 0) return;
      clearTimeout(timer);
      timer = setTimeout(collect, idleMs).unref();
    },
  };
}
