import { describe, expect, it } from "vitest";
import { maskUrl, redactSecrets } from "@/lib/audit/redact";

// What appendAuditEvent stores of a before/after: no credential, everything else as it was.

describe("maskUrl", () => {
  it.each([
    ["https://hooks.slack.com/services/T0/B0/secretToken", "https://hooks.slack.com/***"],
    ["https://oapi.dingtalk.com/robot/send?access_token=abc123", "https://oapi.dingtalk.com/***"],
    ["https://user:pass@example.com:8443/hook#frag", "https://example.com:8443/***"],
    ["https://example.com", "https://example.com/***"],
    ["HTTP://EXAMPLE.com/Path", "http://example.com/***"],
    ["not a url with a token abc123", "***"],
    ["mailto:ops@example.com", "***"],
  ])("%s → %s", (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });
});

describe("redactSecrets", () => {
  it("masks URL and secret fields at any depth and keeps the rest", () => {
    const before = {
      id: "ach_1",
      url: "https://hooks.slack.com/services/T0/B0/secretToken",
      hasSecret: true,
      secret: "signing-secret",
      nested: [{ webhookUrl: "https://example.com/hook/abc", signingSecret: "s", access_token: "t", apiKey: "k", passwordHash: "$2b$..." }],
      params: { tokenizer: "cl100k", maxTokens: 512, key: "support-chat", description: "see https://docs.example.com/x?y=1" },
      at: "2026-01-01T00:00:00.000Z",
    };
    expect(redactSecrets(before)).toEqual({
      id: "ach_1",
      url: "https://hooks.slack.com/***",
      hasSecret: true,
      secret: "***",
      nested: [{ webhookUrl: "https://example.com/***", signingSecret: "***", access_token: "***", apiKey: "***", passwordHash: "***" }],
      params: { tokenizer: "cl100k", maxTokens: 512, key: "support-chat", description: "see https://docs.example.com/x?y=1" },
      at: "2026-01-01T00:00:00.000Z",
    });
    expect(before.url).toBe("https://hooks.slack.com/services/T0/B0/secretToken"); // not changed in place
  });

  it("passes values that are not objects through", () => {
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets("https://hooks.slack.com/services/x")).toBe("https://hooks.slack.com/services/x");
    expect(redactSecrets([1, "a"])).toEqual([1, "a"]);
  });
});
