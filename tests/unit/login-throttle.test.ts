import { describe, expect, it } from "vitest";
import { LoginThrottle, throttleMessage } from "@/lib/auth/login-throttle";

const rule = { max: 3, windowMs: 60_000 };

describe("LoginThrottle", () => {
  it("refuses an account after its failures fill the window, until the oldest leaves it", () => {
    const t = new LoginThrottle(rule, { max: 100, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) t.fail("Ops@Example.com", `10.0.0.${i}`, 1_000 * i);
    const verdict = t.check("ops@example.com", "10.0.0.9", 5_000);
    expect(verdict).toEqual({ allowed: false, scope: "account", retryAfterSec: 55 });
    expect(t.check("other@example.com", "10.0.0.9", 5_000).allowed).toBe(true);
    expect(t.check("ops@example.com", "10.0.0.9", 60_001).allowed).toBe(true);
  });

  it("refuses an address that fails across many accounts", () => {
    const t = new LoginThrottle({ max: 100, windowMs: 60_000 }, rule);
    for (let i = 0; i < 3; i++) t.fail(`user${i}@example.com`, "203.0.113.7", i);
    expect(t.check("fresh@example.com", "203.0.113.7", 10)).toMatchObject({ allowed: false, scope: "address" });
    expect(t.check("fresh@example.com", "198.51.100.1", 10).allowed).toBe(true);
  });

  it("forgets an account's failures after a success", () => {
    const t = new LoginThrottle(rule, { max: 100, windowMs: 60_000 });
    t.fail("a@example.com", "ip", 0);
    t.fail("a@example.com", "ip", 1);
    t.succeed("a@example.com");
    t.fail("a@example.com", "ip", 2);
    t.fail("a@example.com", "ip", 3);
    expect(t.check("a@example.com", "ip", 4).allowed).toBe(true);
  });

  it("says what is limited and for how long", () => {
    expect(throttleMessage({ allowed: false, scope: "account", retryAfterSec: 61 })).toBe("Too many failed sign-ins for this account; try again in 2 minutes.");
    expect(throttleMessage({ allowed: false, scope: "address", retryAfterSec: 5 })).toBe("Too many failed sign-ins for your network address; try again in 1 minute.");
  });
});
