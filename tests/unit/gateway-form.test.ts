import { describe, expect, it } from "vitest";
import { gatewaySettingsBody, sampleRateOptions, sampleRateText } from "@/lib/console/gateway-form";

// The config page's gateway settings form: the sample share offered as choices, and a PATCH body
// holding only what changed.

describe("the gateway settings form", () => {
  it("names each share of calls in words", () => {
    expect([0, 0.01, 0.1, 1].map(sampleRateText)).toEqual(["none", "1 % of calls", "10 % of calls", "every call"]);
    expect(sampleRateText(1 / 3)).toBe("33.33 % of calls");
  });

  it("offers the list, and a share set through the API in its place among them", () => {
    expect(sampleRateOptions(0.1).map((o) => o.value)).toEqual(["0", "0.01", "0.05", "0.1", "0.25", "0.5", "1"]);
    expect(sampleRateOptions(0.3).map((o) => o.label)).toEqual(["none", "1 % of calls", "5 % of calls", "10 % of calls", "25 % of calls", "30 % of calls", "50 % of calls", "every call"]);
  });

  it("sends only the settings that changed", () => {
    const saved = { gatewaySampleRate: 0, gatewayClientOverrides: false };
    expect(gatewaySettingsBody(saved, saved)).toEqual({});
    expect(gatewaySettingsBody(saved, { gatewaySampleRate: 0.25, gatewayClientOverrides: false })).toEqual({ gatewaySampleRate: 0.25 });
    expect(gatewaySettingsBody(saved, { gatewaySampleRate: 0, gatewayClientOverrides: true })).toEqual({ gatewayClientOverrides: true });
  });
});
