import { describe, expect, it } from "vitest";
import { ForbiddenError } from "@/lib/errors";
import { assertSameOrigin } from "@/lib/http/same-origin";

const req = (headers: Record<string, string>) => new Request("http://canary.example.com/api/admin/configs", { method: "POST", headers: { host: "canary.example.com", ...headers } });

describe("assertSameOrigin", () => {
  it("lets the console's own pages and non-browser clients through", () => {
    expect(() => assertSameOrigin(req({ origin: "http://canary.example.com", "sec-fetch-site": "same-origin" }))).not.toThrow();
    expect(() => assertSameOrigin(req({}))).not.toThrow();
    expect(() => assertSameOrigin(req({ "sec-fetch-site": "none" }))).not.toThrow();
    expect(() => assertSameOrigin(req({ origin: "https://canary.example.com", "x-forwarded-host": "canary.example.com" }))).not.toThrow();
  });

  it("refuses another origin, another site, a sibling subdomain and an opaque origin", () => {
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example.org" },
      { "sec-fetch-site": "cross-site" },
      { origin: "http://app.example.com", "sec-fetch-site": "same-site" },
      { origin: "http://canary.example.com:8080" },
      { origin: "null" },
      { origin: "not a url" },
    ];
    for (const headers of crossSite) {
      expect(() => assertSameOrigin(req(headers)), JSON.stringify(headers)).toThrow(ForbiddenError);
    }
  });
});
