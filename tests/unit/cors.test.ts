import { describe, expect, it } from "vitest";
import { corsHeaders, preflightHeaders } from "@/lib/hot/cors";

describe("CORS for the client API", () => {
  it("allows any origin by default and only the listed ones otherwise", () => {
    expect(corsHeaders(["*"], "https://a.example")["access-control-allow-origin"]).toBe("*");
    expect(corsHeaders(["https://a.example"], "https://a.example")).toMatchObject({ "access-control-allow-origin": "https://a.example", vary: "Origin" });
    expect(corsHeaders(["https://a.example"], "https://evil.example")).toEqual({});
    expect(preflightHeaders(["https://a.example"], "https://evil.example")).toEqual({});
    expect(corsHeaders(["*"], undefined)).toEqual({}); // not a browser's cross-origin call
  });
});
