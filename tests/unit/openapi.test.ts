import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/openapi/document";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Every app/api/**\/route.ts as an OpenAPI path: [id] → {id}, [...rest] → {rest}. */
function routeFiles(dir = path.join(process.cwd(), "app", "api")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

function toOpenApiPath(file: string): string {
  const rel = path.relative(path.join(process.cwd(), "app"), path.dirname(file));
  return `/${rel.split(path.sep).map((s) => s.replace(/^\[(?:\.\.\.)?(.+)\]$/, "{$1}")).join("/")}`;
}

describe("OpenAPI document", () => {
  it("describes every API route and every method it exports", async () => {
    const paths = openApiDocument.paths as Record<string, Record<string, unknown>>;
    const files = routeFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const apiPath = toOpenApiPath(file);
      expect(paths, `${apiPath} is missing from lib/openapi/document.ts`).toHaveProperty([apiPath]);
      if (apiPath === "/api/auth/{nextauth}") continue; // next-auth's own handlers
      const mod = (await import(file)) as Record<string, unknown>;
      for (const method of METHODS.filter((m) => typeof mod[m] === "function")) {
        expect(paths[apiPath], `${method} ${apiPath} is missing`).toHaveProperty([method.toLowerCase()]);
      }
    }
  });

  it("describes no route that does not exist", () => {
    const existing = new Set(routeFiles().map(toOpenApiPath));
    expect(Object.keys(openApiDocument.paths).filter((p) => !existing.has(p))).toEqual([]);
  });
});
