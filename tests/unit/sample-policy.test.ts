import { describe, expect, it } from "vitest";
import { keepsSamples, mayKeepSamples, sampleDraw, SamplePolicyInput, samplePolicyText } from "@/lib/release/sample-policy";

// A config's sample policy: what the admin API takes, which outcomes keep their samples, what the
// gateway captures, and the words the console shows.

const issues = (raw: unknown) => {
  const result = SamplePolicyInput.safeParse(raw);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("the sample policy", () => {
  it("takes a share only with `fraction`, strictly between 0 and 1", () => {
    expect(SamplePolicyInput.parse({ keep: "fraction", fraction: 0.25 })).toEqual({ keep: "fraction", fraction: 0.25 });
    expect(SamplePolicyInput.parse({ keep: "none" })).toEqual({ keep: "none", fraction: null });
    expect(issues({ keep: "fraction" })).toEqual(["fraction: is required when `keep` is `fraction`: the share of requests to keep, like 0.1"]);
    expect(issues({ keep: "all", fraction: 0.5 })).toEqual(['fraction: is only for `keep: "fraction"`; with `all` leave it out']);
    expect(issues({ keep: "fraction", fraction: 1 })).toEqual(["fraction: must be more than 0 and less than 1 (keep `all` or `none` for 1 or 0)"]);
    expect(issues({ keep: "some" })).toEqual(["keep: must be one of all, fraction, errors_and_low_ratings, none"]);
    expect(issues({ keep: "all", extra: 1 })).toHaveLength(1);
  });

  it("draws each request id the same way every time, spread evenly", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `req-${i}`);
    expect(ids.map(sampleDraw)).toEqual(ids.map(sampleDraw));
    const tenths = new Array(10).fill(0);
    for (const id of ids) tenths[Math.floor(sampleDraw(id) * 10)]++;
    for (const count of tenths) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it("keeps errors and low ratings only when asked, and has the gateway capture what may be kept", () => {
    const policy = { keep: "errors_and_low_ratings" as const, fraction: null };
    expect([keepsSamples(policy, "a", true, null), keepsSamples(policy, "a", false, 2), keepsSamples(policy, "a", false, 3), keepsSamples(policy, "a", false, null)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    // The gateway learns whether a call fails only at its end: it captures every call's samples.
    expect(mayKeepSamples(policy, "a")).toBe(true);
    expect(mayKeepSamples({ keep: "none", fraction: null }, "a")).toBe(false);
    const share = { keep: "fraction" as const, fraction: 0.5 };
    const ids = Array.from({ length: 100 }, (_, i) => `call-${i}`);
    expect(ids.map((id) => mayKeepSamples(share, id))).toEqual(ids.map((id) => keepsSamples(share, id, false, null)));
  });

  it("is said in words", () => {
    expect(samplePolicyText({ keep: "all", fraction: null })).toBe("Samples are kept for every request");
    expect(samplePolicyText({ keep: "fraction", fraction: 0.05 })).toBe("Samples are kept for 5 % of requests, chosen by request id");
    expect(samplePolicyText({ keep: "errors_and_low_ratings", fraction: null })).toBe("Samples are kept for errors and for requests rated 2 or less when reported");
    expect(samplePolicyText({ keep: "none", fraction: null })).toBe("No samples are kept");
  });
});
