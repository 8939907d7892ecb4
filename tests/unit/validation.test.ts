import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { CreateConfigInput } from "@/lib/release/config-schemas";
import { parseInput } from "@/lib/validation";

describe("parseInput", () => {
  it("names the field and the problem in the message and lists every problem", () => {
    let caught: unknown;
    try {
      parseInput(CreateConfigInput, { key: "Support Chat!", name: "" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "The `key` field must be 1-64 lower-case letters, digits and inner hyphens, like support-chat (and 1 more problem).",
    );
    expect(error.details).toEqual([
      { path: "key", message: "must be 1-64 lower-case letters, digits and inner hyphens, like support-chat" },
      { path: "name", message: "must not be empty" },
    ]);
  });

  it("describes a body that is not an object", () => {
    expect(() => parseInput(CreateConfigInput, "hello")).toThrow(/^The request /);
  });

  it("returns the parsed value with defaults applied", () => {
    expect(parseInput(CreateConfigInput, { key: "support-chat", name: " Support " })).toEqual({
      key: "support-chat",
      name: "Support",
      description: "",
    });
  });
});
