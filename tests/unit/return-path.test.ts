import { describe, expect, it } from "vitest";
import { safeReturnPath } from "@/lib/auth/return-path";

describe("the path to return to after signing in", () => {
  it.each([
    ["/rollouts/ro_1?tab=report#charts", "/rollouts/ro_1?tab=report#charts"],
    ["/configs/support-chat", "/configs/support-chat"],
    ["/a/../configs", "/configs"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"], // encoded: a path on this site
  ])("keeps a path on this site: %j", (value, expected) => {
    expect(safeReturnPath(value)).toBe(expected);
  });

  it.each([
    "/\\evil.example/", // a browser reads the backslash as a slash
    "/\\\\evil.example",
    "/\t/evil.example", // a browser drops the tab
    "/\n/evil.example",
    "/\r/evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "",
  ])("refuses a link elsewhere: %j", (value) => {
    expect(safeReturnPath(value)).toBe("/");
  });

  it("refuses what is not a string", () => {
    expect(safeReturnPath(undefined)).toBe("/");
    expect(safeReturnPath(["/configs"])).toBe("/");
  });
});
