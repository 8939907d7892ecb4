import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { DEFAULT_STAGES, StartRolloutInput } from "@/lib/release/rollout-schemas";
import { CreateVersionInput } from "@/lib/release/version-schemas";
import { parseInput } from "@/lib/validation";

const version = { label: "v2", model: "gpt-4o", systemPrompt: "Be brief.", temperature: 0.5, maxTokens: 512 };

function messageFor(schema: Parameters<typeof parseInput>[0], input: unknown): string {
  try {
    parseInput(schema, input);
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error("expected a validation error");
}

describe("version input", () => {
  it("fills defaults", () => {
    expect(parseInput(CreateVersionInput, version)).toMatchObject({ topP: 1, params: {}, retrievalStrategy: null, description: "" });
  });

  it.each([
    [{ ...version, temperature: 7 }, "The `temperature` field must be from 0 to 2."],
    [{ ...version, temperature: "hot" }, "The `temperature` field must be a number."],
    [{ ...version, topP: 0 }, "The `topP` field must be greater than 0 and at most 1."],
    [{ ...version, maxTokens: 1.5 }, "The `maxTokens` field must be a whole number."],
    [{ ...version, maxTokens: -3 }, "The `maxTokens` field must be a positive whole number."],
    [{ ...version, label: "v 2" }, "The `label` field must be 1-64 letters, digits, dots, hyphens or underscores, like v1.3.0."],
    [{ ...version, model: undefined }, "The `model` field is required."],
    [{ ...version, systemPrompt: "x".repeat(100_001) }, "The `systemPrompt` field must be at most 100000 characters."],
    [{ ...version, colour: "blue" }, "The request body has unknown field `colour`."],
    [{ ...version, retrievalStrategy: { type: "vector", topK: 0 } }, "The `retrievalStrategy.topK` field must be at least 1."],
    [{ ...version, params: { big: "x".repeat(20_000) } }, "The `params` field must be at most 16384 bytes as JSON."],
    [[], "The request body must be an object, not an array."],
    [undefined, "The request body is required."],
  ])("refuses %#: %s", (input, message) => {
    expect(messageFor(CreateVersionInput, input)).toBe(message);
  });
});

describe("rollout input", () => {
  it("defaults to the article's ramp and thresholds", () => {
    const parsed = parseInput(StartRolloutInput, { canaryVersionId: "ver_x" });
    expect(parsed.stages.map((s) => s.percent)).toEqual([1, 5, 10, 25, 50, 100]);
    expect(parsed.stages).toEqual(DEFAULT_STAGES);
    expect(parsed.thresholds).toEqual({ maxErrorRate: 0.05, maxErrorRateRatio: 3, maxRatingDrop: 0.5, maxP95LatencyRatio: 2, maxCostRatio: 2, scores: {} });
    expect(parsed).toMatchObject({ sticky: true, autoPromote: false, include: [], exclude: [] });
  });

  it("requires stages to rise and end at 100%", () => {
    const stage = (percent: number) => ({ percent, minDurationSec: 60, minSamples: 10 });
    expect(messageFor(StartRolloutInput, { canaryVersionId: "v", stages: [stage(10), stage(5), stage(100)] })).toBe(
      "The `stages.1.percent` field must be greater than the previous stage's percent.",
    );
    expect(messageFor(StartRolloutInput, { canaryVersionId: "v", stages: [stage(10), stage(50)] })).toBe(
      "The `stages.1.percent` field must be 100 in the last stage.",
    );
    expect(messageFor(StartRolloutInput, { canaryVersionId: "v", stages: [] })).toMatch(/^The `stages` field must have at least one stage/);
  });

  it("keeps partial thresholds' other defaults and refuses nonsense", () => {
    expect(parseInput(StartRolloutInput, { canaryVersionId: "v", thresholds: { maxErrorRate: 0.1 } }).thresholds.maxP95LatencyRatio).toBe(2);
    expect(messageFor(StartRolloutInput, { canaryVersionId: "v", thresholds: { maxP95LatencyRatio: 0.5 } })).toBe(
      "The `thresholds.maxP95LatencyRatio` field must be greater than 1 and at most 1000.",
    );
  });
});
