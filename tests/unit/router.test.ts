import { describe, expect, it } from "vitest";
import { bucketOf, canaryThreshold, murmur3, route, routingRolloutOf, type RoutingRollout } from "@/lib/release/router";

const rollout = (over: Partial<RoutingRollout> = {}): RoutingRollout => ({
  salt: "a1b2c3d4e5f60718",
  percent: 5,
  sticky: true,
  include: [],
  exclude: [],
  ...over,
});
const users = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
const canaryShare = (r: RoutingRollout) => users.filter((u) => route(u, r).variant === "canary").length / users.length;

describe("murmur3 (pinned: SDKs must reproduce these)", () => {
  it.each([
    ["", 0, 0x00000000],
    ["", 1, 0x514e28b7],
    ["a", 0, 0x3c2569b2],
    ["ab", 0, 0x9bbfd75f],
    ["abc", 0, 0xb3dd93fa],
    ["aaaa", 0x9747b28c, 0x5a97808a],
    ["hello", 0, 0x248bfa47],
    ["Hello, world!", 1234, 0xfaf6cdb3],
    ["The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723],
  ])("murmur3(%j, %d) = %d", (text, seed, expected) => {
    expect(murmur3(new TextEncoder().encode(text), seed)).toBe(expected);
  });

  it.each([
    ["salt", "u-123", 8411],
    ["a1b2c3d4e5f60718", "user-42", 9388],
    ["ro_x", "alice@example.com", 3707],
    ["", "", 7430],
    ["s", "用户", 7736],
  ])("bucket(%j, %j) = %d", (salt, user, expected) => {
    expect(bucketOf(salt, user)).toBe(expected);
  });
});

describe("route", () => {
  it.each([1, 5, 10, 25, 50])("sends %d%% of 100,000 users to canary, within ±0.5 points", (percent) => {
    expect(Math.abs(canaryShare(rollout({ percent })) * 100 - percent)).toBeLessThanOrEqual(0.5);
  });

  it("gives a user the same answer on every call", () => {
    const r = rollout({ percent: 50 });
    for (const user of users.slice(0, 1000)) {
      const first = route(user, r);
      for (let i = 0; i < 3; i++) expect(route(user, r)).toEqual(first);
    }
  });

  it("never moves a canary user back to stable when the percentage rises", () => {
    const steps = [1, 5, 10, 25, 50, 100];
    for (const user of users.slice(0, 20_000)) {
      let wasCanary = false;
      for (const percent of steps) {
        const isCanary = route(user, rollout({ percent })).variant === "canary";
        if (wasCanary) expect(isCanary).toBe(true);
        wasCanary = isCanary;
      }
    }
  });

  it("picks a different slice of users for each rollout of the same config", () => {
    const a = new Set(users.filter((u) => route(u, rollout({ salt: "first-rollout" })).variant === "canary"));
    const b = users.filter((u) => route(u, rollout({ salt: "second-rollout" })).variant === "canary");
    const overlap = b.filter((u) => a.has(u)).length / b.length;
    // Independent 5% slices overlap by about 5%; the same slice would overlap by 100%.
    expect(overlap).toBeLessThan(0.1);
  });

  it("serves 0% and 100% exactly", () => {
    expect(canaryShare(rollout({ percent: 0 }))).toBe(0);
    expect(canaryShare(rollout({ percent: 100 }))).toBe(1);
  });

  it("uses 0.01% resolution: canary iff bucket < percent × 100", () => {
    expect(canaryThreshold(0.01)).toBe(1);
    expect(canaryThreshold(12.345)).toBe(1235);
    const user = users.find((u) => bucketOf("s", u) === 0)!;
    expect(route(user, rollout({ salt: "s", percent: 0.01 })).variant).toBe("canary");
    const next = users.find((u) => bucketOf("s", u) === 1)!;
    expect(route(next, rollout({ salt: "s", percent: 0.01 })).variant).toBe("stable");
  });

  it("sends everyone to stable with no active rollout (never started, rolled back or aborted)", () => {
    expect(users.slice(0, 1000).every((u) => route(u, null).variant === "stable")).toBe(true);
  });

  it("always keeps excluded users on stable, even at 100%", () => {
    const r = rollout({ percent: 100, exclude: ["vip-1"] });
    expect(route("vip-1", r)).toMatchObject({ variant: "stable", reason: "excluded" });
    expect(route("someone", r).variant).toBe("canary");
  });

  it("with an include list, gives the canary to exactly those users", () => {
    const r = rollout({ percent: 50, include: ["tester-1", "tester-2"], exclude: ["tester-2"] });
    expect(route("tester-1", r)).toMatchObject({ variant: "canary", reason: "included" });
    expect(route("tester-2", r).variant).toBe("stable"); // exclusion wins
    expect(users.slice(0, 5000).some((u) => route(u, r).variant === "canary")).toBe(false);
  });

  it("draws afresh per request when not sticky", () => {
    const draws = [0.001, 0.999];
    let i = 0;
    const r = rollout({ sticky: false, percent: 5 });
    expect(route("same-user", r, () => draws[i++])).toMatchObject({ variant: "canary", reason: "random" });
    expect(route("same-user", r, () => draws[i++]).variant).toBe("stable");
    const share = users.filter(() => route("x", r).variant === "canary").length / users.length;
    expect(Math.abs(share - 0.05)).toBeLessThan(0.005);
  });
});

describe("routingRolloutOf", () => {
  const base = { salt: "s", percent: 25, sticky: true, include: [], exclude: ["x"] };
  it("routes by running and paused rollouts and by nothing else", () => {
    expect(routingRolloutOf({ ...base, status: "running" })).toEqual(base);
    expect(routingRolloutOf({ ...base, status: "paused" })).toEqual(base);
    for (const status of ["promoted", "rolled_back", "aborted"]) expect(routingRolloutOf({ ...base, status })).toBeNull();
    expect(routingRolloutOf(null)).toBeNull();
  });
});
