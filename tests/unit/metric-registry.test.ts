import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILT_IN_METRICS, THRESHOLD_FIELDS } from "@/lib/guardrails/registry";

// The metric registry (lib/guardrails/registry.ts) is the only place that lists the built-in
// metrics: no other source file names one of their keys as a string or one of their threshold
// fields, outside comments. (Adding an entry reaches everything: tests/integration/metric-registry.test.ts.)

const ROOT = path.resolve(__dirname, "../..");
const REGISTRY = "lib/guardrails/registry.ts";
/** Files that use one of the words for something else, with why. */
const OTHER_MEANINGS: Record<string, string> = {
  "lib/metrics/ingest-repo.ts": "the outcomes table's `rating` column",
};

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === "generated" || entry.name === "node_modules" ? [] : sources(rel);
    return /\.(ts|tsx)$/.test(entry.name) ? [rel] : [];
  });
}

/** The code without comments (good enough for this codebase: no comment markers inside strings it checks). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

describe("the metric registry", () => {
  it("is the only place that names a built-in metric or its thresholds", () => {
    const names = [...BUILT_IN_METRICS.map((m) => `"${m.key}"`), ...THRESHOLD_FIELDS.map((f) => f.name)];
    const found = ["lib", "app", "components"]
      .flatMap(sources)
      .filter((file) => file !== REGISTRY && !(file in OTHER_MEANINGS))
      .flatMap((file) => {
        const text = code(readFileSync(path.join(ROOT, file), "utf8"));
        return names.filter((name) => text.includes(name)).map((name) => `${file}: ${name}`);
      });
    expect(found).toEqual([]);
  });

  it("gives every built-in what the judge, the report and the start dialog need", () => {
    for (const m of BUILT_IN_METRICS) {
      expect(m.rollup, m.key).toBeDefined();
      expect(m.floor.canary, m.key).toBeGreaterThan(0);
      if (m.rule.form !== "score") {
        expect(THRESHOLD_FIELDS.map((f) => f.name), m.key).toContain(m.rule.field);
        if (m.rule.cap) expect(THRESHOLD_FIELDS.map((f) => f.name), m.key).toContain(m.rule.cap);
      }
    }
    expect(new Set(BUILT_IN_METRICS.map((m) => m.key)).size).toBe(BUILT_IN_METRICS.length);
  });
});
