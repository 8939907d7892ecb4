import { describe, expect, it } from "vitest";
import { bearerToken, generateApiKey, hashSecret, parseApiKey, secretMatches } from "@/lib/auth/api-keys";

describe("API keys", () => {
  it("round-trips: a generated key parses back to its selector, and only its secret matches the stored hash", () => {
    const { key, selector, secretHash } = generateApiKey();
    expect(key).toMatch(/^lck_[0-9a-z]{12}_[0-9a-z]{32}$/);
    const parsed = parseApiKey(key);
    expect(parsed?.selector).toBe(selector);
    expect(secretHash).not.toContain(parsed!.secret);
    expect(secretMatches(parsed!.secret, secretHash)).toBe(true);
    expect(secretMatches(parsed!.secret.replace(/.$/, (c) => (c === "a" ? "b" : "a")), secretHash)).toBe(false);
  });

  it("stores sha256 of the secret as hex", () => {
    expect(hashSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("never produces the same key twice", () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  it.each(["", "lck_short_secret", "abc_123456789012_12345678901234567890123456789012", "lck_ABCDEFGHIJKL_12345678901234567890123456789012", "lck_123456789012_1234"])(
    "rejects the malformed key %j",
    (key) => {
      expect(parseApiKey(key)).toBeNull();
    },
  );

  it("a stored hash of another length never matches", () => {
    expect(secretMatches("x", "abcd")).toBe(false);
  });

  it("reads Bearer tokens and nothing else", () => {
    expect(bearerToken("Bearer lck_a_b")).toBe("lck_a_b");
    expect(bearerToken("bearer   tok ")).toBe("tok");
    expect(bearerToken("Basic dXNlcjpwYXNz")).toBeNull();
    expect(bearerToken(null)).toBeNull();
    expect(bearerToken("Bearer two words")).toBeNull();
  });
});
