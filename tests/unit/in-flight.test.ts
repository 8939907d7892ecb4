import { describe, expect, it } from "vitest";
import { InFlight } from "@/lib/gateway/in-flight";

describe("InFlight", () => {
  it("holds what was added until it is removed, reusing the freed slots", () => {
    const calls = new InFlight<{ name: string }>();
    const [a, b, c] = [{ name: "a" }, { name: "b" }, { name: "c" }];
    const slotA = calls.add(a);
    const slotB = calls.add(b);
    expect(calls.size).toBe(2);
    calls.remove(slotA, a);
    expect(calls.items()).toEqual([b]);
    expect(calls.add(c)).toBe(slotA);
    expect(calls.items()).toEqual([c, b]);
    calls.remove(slotB, b);
    calls.remove(slotA, c);
    expect([calls.size, calls.items()]).toEqual([0, []]);
  });

  it("ignores a second removal, which must not take out the call now in the slot", () => {
    const calls = new InFlight<string>();
    const slot = calls.add("first");
    calls.remove(slot, "first");
    expect(calls.add("second")).toBe(slot);
    calls.remove(slot, "first");
    expect([calls.size, calls.items()]).toEqual([1, ["second"]]);
  });
});
