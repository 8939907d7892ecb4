import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

// Runs the project's own ESLint configuration (eslint.config.mjs) on source text given the path of
// a file in the tree (import/no-cycle needs the file to exist; nothing is written), so these cases
// fail if the layer rule or import/no-cycle is switched off or loosened.

const ROOT = path.resolve(import.meta.dirname, "../..");
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
}, 60_000);

async function problems(file: string, code: string, ruleId = "layers/point-down") {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message);
}

/** A module that imports `name` from `specifier` and uses it. */
const importing = (name: string, specifier: string) =>
  `import { ${name} } from "${specifier}";\nexport const f = ${name};\n`;

describe("the layer rule (lint/layers.mjs)", { timeout: 60_000 }, () => {
  it("refuses an import from a lower layer to a higher one", async () => {
    const messages = await problems("lib/db/types.ts", importing("findConfigRowByKey", "../release/repo"));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/`lib\/db` is in layer \d+ \(lib\/db\) and must not import `lib\/release` from the higher/);
  });

  it("refuses the import that once tied twelve folders into one cycle: lib/auth reaching into lib/server", async () => {
    const messages = await problems("lib/auth/scopes.ts", importing("loadAuthSecret", "@/lib/server/auth-secret"));
    expect(messages).toEqual([expect.stringContaining("must not import `lib/server`")]);
  });

  it("counts type-only imports and re-exports", async () => {
    const code = [
      `import type { Snapshot } from "../snapshot/snapshot";`,
      `export type S = Snapshot;`,
      `export { judge } from "../analysis/judge";`,
    ].join("\n");
    expect(await problems("lib/release/transitions.ts", code)).toHaveLength(2);
  });

  it("refuses imports between two folders of one layer, in either direction", async () => {
    expect(await problems("lib/metrics/schemas.ts", importing("ALERT_EVENTS", "../alerts/schemas"))).toEqual([
      expect.stringContaining("`lib/metrics` and `lib/alerts` share layer"),
    ]);
    const back = await problems("lib/alerts/format.ts", importing("latencyBucket", "../metrics/latency-buckets"));
    expect(back).toHaveLength(1);
  });

  it("lets imports point down, within a folder and to packages", async () => {
    const code = [
      `import { z } from "zod";`,
      `import { appendAuditEvent } from "../audit/repo";`,
      `import { NotFoundError } from "@/lib/errors";`,
      `import { findConfigRowByKey } from "./repo";`,
      `export const all = [z, appendAuditEvent, NotFoundError, findConfigRowByKey];`,
    ].join("\n");
    expect(await problems("lib/release/router.ts", code)).toEqual([]);
  });

  it("asks for a layer for a folder of lib/ it does not know", async () => {
    const unplaced = expect.stringContaining("`lib/reports` has no layer");
    expect(await problems("lib/reports/summary.ts", `export const x = 1;\n`)).toEqual([unplaced]);
    expect(await problems("lib/release/transitions.ts", importing("x", "../reports/thing"))).toEqual([unplaced]);
  });
});

describe("import/no-cycle", { timeout: 60_000 }, () => {
  it("refuses a cycle between files of one folder", async () => {
    // lib/release/lookup.ts imports ./repo; repo importing ./lookup back closes a cycle.
    const messages = await problems("lib/release/repo.ts", importing("requireConfig", "./lookup"), "import/no-cycle");
    expect(messages).toEqual([expect.stringContaining("Dependency cycle")]);
  });
});
