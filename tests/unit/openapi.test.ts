import { readdirSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { GATEWAY_PATHS } from "@/lib/gateway/gateway";
import { CLIENT_API_PATHS } from "@/lib/hot/client-api";
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
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(openApiDocument)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every method every API route exports", async () => {
    const paths = openApiDocument.paths as Record<string, Record<string, unknown>>;
    const files = routeFiles();
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const apiPath = toOpenApiPath(file);
      const mod = (await import(file)) as Record<string, unknown>;
      for (const method of METHODS.filter((m) => typeof mod[m] === "function")) {
        expect(paths[apiPath], `${method} ${apiPath} is missing from lib/openapi/endpoints.ts`).toHaveProperty([method.toLowerCase()]);
      }
    }
    // It imports every route module for the first time: 1.4 s alone, past 5 s beside other test files on two busy cores.
  }, 30_000);

  it("describes every client API and gateway path the custom server serves itself", () => {
    for (const apiPath of [...CLIENT_API_PATHS, ...GATEWAY_PATHS]) expect(Object.keys(openApiDocument.paths)).toContain(apiPath);
  });

  it("describes no route that does not exist", () => {
    const existing = new Set([...routeFiles().map(toOpenApiPath), ...CLIENT_API_PATHS, ...GATEWAY_PATHS]);
    expect(Object.keys(openApiDocument.paths).filter((p) => !existing.has(p))).toEqual([]);
  });

  it("documents the playground's stream: one event per line, and the whole run for Accept: application/json", () => {
    const post = (openApiDocument.paths as Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: { oneOf?: { properties: { type: { const: string } } }[] } }> }> }>>)[
      "/api/admin/configs/{key}/playground"
    ].post;
    const content = post.responses["200"].content;
    expect(Object.keys(content)).toEqual(["application/x-ndjson", "application/json"]);
    expect(content["application/x-ndjson"].schema.oneOf!.map((event) => event.properties.type.const)).toEqual(["start", "delta", "done", "run", "failed"]);
  });

  it("carries the request schema the service validates with", () => {
    const post = (openApiDocument.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } }>>)[
      "/api/admin/configs/{key}/versions"
    ].post;
    const schema = post.requestBody!.content["application/json"].schema;
    expect(schema.required).toEqual(expect.arrayContaining(["label", "model", "temperature", "maxTokens"]));
    // messages, or as before systemPrompt: the service refuses both or neither.
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["messages", "systemPrompt", "tools", "responseFormat", "variables"]));
    expect(schema.properties.temperature).toMatchObject({ type: "number", minimum: 0, maximum: 2 });
  });
});
