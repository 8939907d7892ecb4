import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The SDK renders templates with the server's own module, not a copy: these follow the run-time
// imports (type-only imports vanish when compiled) from the SDK's entry and from lib/template.

const ROOT = path.resolve(import.meta.dirname, "../..");
const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/** The specifiers a file imports or re-exports at run time. */
function runtimeImports(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const specifiers: string[] = [];
  const statement =
    /^\s*(import|export)\s+(type\s+)?[^;]*?\bfrom\s+"([^"]+)"|^\s*import\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gm;
  for (const match of source.matchAll(statement)) {
    if (match[2]) continue; // `import type` / `export type`
    specifiers.push(match[3] ?? match[4] ?? match[5]);
  }
  return specifiers;
}

function resolve(from: string, specifier: string): string | null {
  if (specifier.startsWith("@/")) return `${path.join(ROOT, specifier.slice(2))}.ts`;
  if (!specifier.startsWith(".")) return null; // a package or a Node built-in
  const base = path.resolve(path.dirname(from), specifier);
  return base.endsWith(".ts") ? base : `${base}.ts`;
}

/** Every project file reachable from `entry`, and every package or built-in named on the way. */
function graph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of runtimeImports(file)) {
      const target = resolve(file, specifier);
      if (target === null) packages.add(specifier);
      else visit(target);
    }
  };
  visit(path.join(ROOT, entry));
  return { files: [...files].map(rel).sort(), packages: [...packages].sort() };
}

describe("the template module and the SDK", () => {
  it("lib/template imports only its own files: no package, no Node API, nothing else of lib/", () => {
    for (const entry of ["lib/template/messages.ts", "lib/template/render.ts"]) {
      const { files, packages } = graph(entry);
      expect(packages).toEqual([]);
      for (const file of files) expect(file).toMatch(/^lib\/template\/[a-z-]+\.ts$/);
    }
  });

  it("the SDK needs nothing but the files the README names", () => {
    const { files, packages } = graph("lib/sdk/client.ts");
    expect(packages).toEqual([]);
    // What the README tells a user to copy along with lib/sdk.
    // lib/release/llm-template.ts: how a version's messages render, the server's and the SDK's alike.
    const copied = /^(lib\/sdk\/[a-z-]+\.ts|lib\/template\/[a-z-]+\.ts|lib\/release\/(router|llm-template)\.ts|lib\/limits\.ts)$/;
    for (const file of files) expect(file).toMatch(copied);
  });

  it("the SDK and the server's /api/route render with the same modules, and neither has a copy of the parser", () => {
    const sdk = graph("lib/sdk/client.ts").files;
    const server = graph("lib/hot/route-handler.ts").files;
    const renderer = ["lib/release/llm-template.ts", "lib/template/parse.ts", "lib/template/render.ts"];
    expect(sdk).toEqual(expect.arrayContaining(renderer));
    expect(server).toEqual(expect.arrayContaining(renderer));
    // The grammar's braces, as a string or in a regular expression, appear in lib/template alone.
    const braces = /["'`]\{\{["'`]|\\\{\\\{/;
    const spelling = [...new Set([...sdk, ...server])].filter((file) => braces.test(readFileSync(path.join(ROOT, file), "utf8")));
    expect(spelling).toContain("lib/template/syntax.ts");
    for (const file of spelling) expect(file).toMatch(/^lib\/template\//);
  });

  it("finds the imports it follows (the check above would pass vacuously otherwise)", () => {
    expect(graph("lib/template/messages.ts").files).toEqual([
      "lib/template/messages.ts",
      "lib/template/parse.ts",
      "lib/template/render.ts",
      "lib/template/syntax.ts",
    ]);
    expect(graph("lib/sdk/client.ts").files).toContain("lib/release/router.ts");
  });
});
