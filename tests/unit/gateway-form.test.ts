import { describe, expect, it } from "vitest";
import { gatewaySettingsBody } from "@/lib/console/gateway-form";
import { fractionOptions, fractionText, samplePolicyBody, withKeep } from "@/lib/console/sample-policy-form";

// The config page's gateway settings and sample policy forms: choices offered in words, and a PATCH
// body holding only what changed.

describe("the gateway settings form", () => {
  it("sends only the settings that changed", () => {
    const saved = { gatewayClientOverrides: false };
    expect(gatewaySettingsBody(saved, saved)).toEqual({});
    expect(gatewaySettingsBody(saved, { gatewayClientOverrides: true })).toEqual({ gatewayClientOverrides: true });
  });
});

describe("the sample policy form", () => {
  it("names each share of requests, and offers a share set through the API in its place among the list", () => {
    expect([0.01, 0.1, 1 / 3].map(fractionText)).toEqual(["1 %", "10 %", "33.33 %"]);
    expect(fractionOptions(0.1).map((o) => o.value)).toEqual(["0.01", "0.05", "0.1", "0.25", "0.5"]);
    expect(fractionOptions(null).map((o) => o.value)).toEqual(["0.01", "0.05", "0.1", "0.25", "0.5"]);
    expect(fractionOptions(0.3).map((o) => o.label)).toEqual(["1 %", "5 %", "10 %", "25 %", "30 %", "50 %"]);
  });

  it("starts a switch to a share from the saved share, or 10 %, and drops the share for the other choices", () => {
    expect(withKeep({ keep: "all", fraction: null }, "fraction")).toEqual({ keep: "fraction", fraction: 0.1 });
    expect(withKeep({ keep: "fraction", fraction: 0.25 }, "fraction")).toEqual({ keep: "fraction", fraction: 0.25 });
    expect(withKeep({ keep: "fraction", fraction: 0.25 }, "none")).toEqual({ keep: "none", fraction: null });
  });

  it("sends the policy only when it changed, with a share only for `fraction`", () => {
    const saved = { keep: "fraction" as const, fraction: 0.25 };
    expect(samplePolicyBody(saved, saved)).toEqual({});
    expect(samplePolicyBody(saved, { keep: "fraction", fraction: 0.5 })).toEqual({ samplePolicy: { keep: "fraction", fraction: 0.5 } });
    expect(samplePolicyBody(saved, { keep: "errors_and_low_ratings", fraction: null })).toEqual({ samplePolicy: { keep: "errors_and_low_ratings" } });
  });
});
