import { describe, expect, it } from "vitest";
import { formatInterval, formatTick, formatValue } from "@/lib/analysis/format-value";
import { UNIT_FORMATS, type MetricUnit } from "@/lib/guardrails/registry";

const UNITS = Object.keys(UNIT_FORMATS) as MetricUnit[];

describe("formatValue (tables, captions, tooltips)", () => {
  it("writes each unit with three significant digits, a larger unit from its threshold on, and a dash for no data", () => {
    expect(formatValue(0.0123, "percent")).toBe("1.23%");
    expect(formatValue(412.6, "ms")).toBe("413 ms");
    expect(formatValue(1234, "ms")).toBe("1.23 s");
    expect(formatValue(999.7, "ms")).toBe("1.00 s"); // rounds to 1,000 ms: written in seconds
    expect(formatValue(0.0031, "usd")).toBe("$0.00310");
    expect(formatValue(4.2, "stars")).toBe("4.20");
    expect(formatValue(0.8123, "score")).toBe("0.812");
    expect(formatValue(12345, "score")).toBe("12,345");
    expect(formatValue(null, "stars")).toBe("—");
    expect(formatValue(Number.NaN, "ms")).toBe("—");
  });
});

describe("formatTick (chart axes)", () => {
  it("is compact: seconds from 1,000 ms, no trailing zeros", () => {
    expect(formatTick(1600, "ms")).toBe("1.6 s");
    expect(formatTick(1000, "ms")).toBe("1 s");
    expect(formatTick(1250, "ms")).toBe("1.25 s");
    expect(formatTick(12, "ms")).toBe("12 ms");
    expect(formatTick(0, "ms")).toBe("0 ms");
    expect(formatTick(0.003, "usd")).toBe("$0.003");
    expect(formatTick(0.0025, "usd")).toBe("$0.0025");
    expect(formatTick(0.02, "percent")).toBe("2%");
    expect(formatTick(0.025, "percent")).toBe("2.5%");
    expect(formatTick(3.5, "stars")).toBe("3.5");
    expect(formatTick(0.75, "score")).toBe("0.75");
  });

  it("keeps the ticks an axis draws distinct and short, with no space a renderer could wrap at but the unit's", () => {
    const ticks: Record<MetricUnit, number[]> = {
      ms: [0, 400, 800, 1200, 1600, 2000, 4000, 8000, 16000],
      percent: [0, 0.005, 0.01, 0.015, 0.02, 0.25, 0.5, 1],
      usd: [0, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.01],
      stars: [1, 2, 3, 4, 5],
      score: [0, 0.25, 0.5, 0.75, 1],
    };
    for (const unit of UNITS) {
      const labels = ticks[unit].map((v) => formatTick(v, unit));
      expect(new Set(labels).size, unit).toBe(labels.length);
      for (const label of labels) {
        expect(label.length, label).toBeLessThanOrEqual(7);
        expect(label.split(" ").length, label).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe("formatInterval", () => {
  it("adds digits until the ends differ as written", () => {
    expect(formatInterval({ value: 0.0031, low: 0.003099, high: 0.003101 }, "usd")).toEqual({ value: "$0.003100", low: "$0.003099", high: "$0.003101", same: false });
    expect(formatInterval({ value: 899, low: 885, high: 914 }, "ms")).toEqual({ value: "899 ms", low: "885 ms", high: "914 ms", same: false });
    expect(formatInterval({ value: 4.2, low: 4.199, high: 4.201 }, "stars")).toMatchObject({ low: "4.199", high: "4.201", same: false });
  });

  it("says when the ends are the same", () => {
    expect(formatInterval({ value: 0.0031, low: 0.0031, high: 0.0031 }, "usd")).toMatchObject({ low: "$0.00310", high: "$0.00310", same: true });
  });
});
