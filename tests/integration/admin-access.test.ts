import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "@/lib/auth/api-key-service";
import { hasScope, ROLES, scopesForRole } from "@/lib/auth/scopes";
import { setDatabase } from "@/lib/db/client";
import { ENDPOINTS, type Endpoint } from "@/lib/openapi/endpoints";
import { adminKey, call, sessionFor } from "../helpers/call";
import { handlerFor } from "../helpers/route-handler";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Who may call what, generated from the endpoint list: a new admin route without a scope, or
// with the wrong one, fails here. Bad input on every mutating route answers 400 naming the
// field and changes nothing.

let db: TestDatabase;
const principals: Record<string, { auth?: string; cookie?: string }> = {};
let admin: string;
beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  principals.anonymous = {};
  for (const role of ROLES) principals[role] = { cookie: (await sessionFor(db.prisma, role)).cookie };
  admin = await adminKey(db.prisma);
  principals["admin key"] = { auth: admin };
  principals["client key"] = { auth: await adminKey(db.prisma, ["route", "metrics", "gateway"]) };
  const revoked = await adminKey(db.prisma);
  const row = await db.prisma.apiKey.findFirstOrThrow({ where: { selector: revoked.split("_")[1] } });
  await revokeApiKey(db.prisma, { type: "system", id: null, label: "test", scopes: [] }, row.id);
  principals["revoked key"] = { auth: revoked };
  principals["garbage key"] = { auth: "Bearer lck_000000000000_00000000000000000000000000000000" };
});
afterAll(async () => {
  await db?.close();
});

const PARAMS = { key: "no-such-config", id: "ro_missing", action: "pause", scoreKey: "no_such_score", model: "no/such-model" };

function expectedStatus(principal: string, endpoint: Endpoint): "allowed" | 401 | 403 {
  if (["anonymous", "revoked key", "garbage key"].includes(principal)) return 401;
  if (principal === "client key") return 403;
  if (principal === "admin key") return "allowed";
  return hasScope(scopesForRole(principal as (typeof ROLES)[number]), endpoint.scope!) ? "allowed" : 403;
}

describe("access rules for every admin endpoint", () => {
  const adminEndpoints = ENDPOINTS.filter((e) => e.auth === "admin");

  it("every admin endpoint names the permission it needs", () => {
    expect(adminEndpoints.length).toBeGreaterThan(10);
    for (const e of adminEndpoints) expect(e.scope, `${e.method} ${e.path}`).toBeDefined();
  });

  it("answers each principal as its role allows", async () => {
    const failures: string[] = [];
    for (const endpoint of adminEndpoints) {
      const handler = await handlerFor(endpoint);
      for (const [name, credentials] of Object.entries(principals)) {
        const res = await call(handler, endpoint.method.toUpperCase(), {
          ...credentials,
          params: PARAMS,
          body: endpoint.method === "post" ? {} : undefined,
        });
        const expected = expectedStatus(name, endpoint);
        const ok = expected === "allowed" ? ![401, 403].includes(res.status) && res.status < 500 : res.status === expected;
        if (!ok) failures.push(`${name} ${endpoint.method.toUpperCase()} ${endpoint.path}: ${res.status}, expected ${expected}`);
        if (typeof expected === "number") expect(res.body.error.code).toBe(expected === 401 ? "unauthorized" : "forbidden");
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("bad input changes nothing", () => {
  const counts = async () => ({
    configs: await db.prisma.config.findMany({ orderBy: { id: "asc" }, select: { id: true, samplePolicy: true, sampleFraction: true, gatewayClientOverrides: true, updatedAt: true } }),
    versions: await db.prisma.version.count(),
    rollouts: await db.prisma.rollout.count(),
    scores: await db.prisma.scoreDefinition.findMany({ orderBy: { id: "asc" } }),
    evaluators: await db.prisma.evaluator.count(),
    audit: await db.prisma.auditEvent.count(),
    playgroundRuns: await db.prisma.playgroundRun.count(),
  });
  const version = { label: "v9", model: "gpt-4o", systemPrompt: "x", temperature: 0.5, maxTokens: 100 };

  const score = { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 };
  const judge = { name: "judge", scoreKey: "groundedness", providerId: "prv_missing", model: "m", prompt: "Rate {{output}}.", answer: { format: "number" } };
  const CASES: [path: string, params: Record<string, string>, rawBody: string, field: string | null, method?: "patch"][] = [
    ["/api/admin/configs", {}, "{", null],
    ["/api/admin/configs", {}, JSON.stringify({ key: 5, name: "x" }), "key"],
    ["/api/admin/configs", {}, JSON.stringify({ key: "ok-key" }), "name"],
    ["/api/admin/configs", {}, JSON.stringify({ key: "ok-key", name: "x", extra: 1 }), "(root)"],
    ["/api/admin/configs/{key}", { key: "bad-input" }, JSON.stringify({ samplePolicy: { keep: "fraction", fraction: 1.5 } }), "samplePolicy.fraction", "patch"],
    ["/api/admin/configs/{key}", { key: "bad-input" }, JSON.stringify({ samplePolicy: "all" }), "samplePolicy", "patch"],
    ["/api/admin/configs/{key}", { key: "bad-input" }, JSON.stringify({ gatewayClientOverrides: "yes" }), "gatewayClientOverrides", "patch"],
    ["/api/admin/configs/{key}", { key: "bad-input" }, JSON.stringify({}), "(root)", "patch"],
    ["/api/admin/configs/{key}", { key: "bad-input" }, JSON.stringify({ name: "Renamed" }), "(root)", "patch"],
    ["/api/admin/configs/{key}/versions", { key: "bad-input" }, JSON.stringify({ ...version, temperature: Number.MAX_VALUE }), "temperature"],
    ["/api/admin/configs/{key}/versions", { key: "bad-input" }, JSON.stringify({ ...version, systemPrompt: "p".repeat(100_001) }), "systemPrompt"],
    ["/api/admin/configs/{key}/versions", { key: "bad-input" }, JSON.stringify({ ...version, maxTokens: "lots" }), "maxTokens"],
    ["/api/admin/configs/{key}/versions", { key: "bad-input" }, JSON.stringify({ ...version, params: [1, 2] }), "params"],
    ["/api/admin/configs/{key}/versions", { key: "bad-input" }, `{"label": "v9", "label": 7}`, "label"],
    ["/api/admin/configs/{key}/rollouts", { key: "bad-input" }, JSON.stringify({ canaryVersionId: 12 }), "canaryVersionId"],
    ["/api/admin/configs/{key}/rollouts", { key: "bad-input" }, JSON.stringify({ canaryVersionId: "ver_x", stages: [{ percent: -1, minDurationSec: 0, minSamples: 0 }] }), "stages.0.percent"],
    ["/api/admin/configs/{key}/rollouts", { key: "bad-input" }, JSON.stringify({ canaryVersionId: "ver_nope" }), "canaryVersionId"],
    ["/api/admin/configs/{key}/rollback", { key: "bad-input" }, JSON.stringify({ reason: "" }), "reason"],
    ["/api/admin/configs/{key}/rollback", { key: "bad-input" }, JSON.stringify({ reason: ["why"] }), "reason"],
    ["/api/admin/rollouts/{id}/{action}", { id: "ro_missing", action: "pause" }, JSON.stringify({ revision: "one" }), "revision"],
    ["/api/admin/rollouts/{id}/{action}", { id: "ro_missing", action: "rollback" }, JSON.stringify({}), "reason"],
    ["/api/admin/configs/{key}/scores", { key: "bad-input" }, JSON.stringify({ ...score, key: "Bad Key" }), "key"],
    ["/api/admin/configs/{key}/scores", { key: "bad-input" }, JSON.stringify({ ...score, kind: "float" }), "kind"],
    ["/api/admin/configs/{key}/scores", { key: "bad-input" }, JSON.stringify({ ...score, max: undefined }), "max"],
    ["/api/admin/configs/{key}/scores", { key: "bad-input" }, JSON.stringify({ ...score, threshold: { form: "difference", value: 2 } }), "threshold.value"],
    ["/api/admin/configs/{key}/scores", { key: "bad-input" }, JSON.stringify({ ...score, key: "other", kind: "boolean" }), "min"],
    ["/api/admin/configs/{key}/scores/{scoreKey}", { key: "bad-input", scoreKey: "groundedness" }, JSON.stringify({ kind: "boolean" }), "(root)", "patch"],
    ["/api/admin/configs/{key}/scores/{scoreKey}", { key: "bad-input", scoreKey: "groundedness" }, JSON.stringify({ min: 5 }), "max", "patch"],
    ["/api/admin/configs/{key}/scores/{scoreKey}", { key: "bad-input", scoreKey: "groundedness" }, JSON.stringify({ guardrail: "no" }), "guardrail", "patch"],
    ["/api/admin/configs/{key}/playground", { key: "bad-input" }, JSON.stringify({ columns: [] }), "columns"],
    ["/api/admin/configs/{key}/playground", { key: "bad-input" }, JSON.stringify({ columns: [{ versionId: "ver_nope" }] }), "columns.0.versionId"],
    ["/api/admin/configs/{key}/playground", { key: "bad-input" }, JSON.stringify({ columns: [{ settings: { model: "m", messages: [{ role: "user", content: "{{q}}" }], temperature: 0.5, maxTokens: 10 } }] }), "columns.0.providerId"],
    ["/api/admin/configs/{key}/evaluators", { key: "bad-input" }, JSON.stringify({ ...judge, prompt: "Rate {{input}}." }), "prompt"],
    ["/api/admin/configs/{key}/evaluators", { key: "bad-input" }, JSON.stringify({ ...judge, answer: { format: "json_field" } }), "answer.field"],
    ["/api/admin/configs/{key}/evaluators", { key: "bad-input" }, JSON.stringify({ ...judge, sampleRate: 2 }), "sampleRate"],
    ["/api/admin/configs/{key}/evaluators", { key: "bad-input" }, JSON.stringify({ ...judge, scoreKey: "nope" }), "scoreKey"],
    ["/api/admin/configs/{key}/evaluators", { key: "bad-input" }, JSON.stringify(judge), "providerId"],
    ["/api/admin/configs/{key}/evaluators/{id}", { key: "bad-input", id: "evl_missing" }, JSON.stringify({ minPerMinute: -1 }), "minPerMinute", "patch"],
  ];

  it.each(CASES.map(([endpointPath, params, rawBody, field, method = "post"]) => [method.toUpperCase(), rawBody.length > 80 ? `${rawBody.slice(0, 77)}…` : rawBody, endpointPath, params, rawBody, field, method] as const))(
    "%s %s to %s %j → 400 naming the field",
    async (_method, _label, endpointPath, params, rawBody, field, method) => {
    if ((await db.prisma.config.count({ where: { key: "bad-input" } })) === 0) {
      await call(await handlerFor(ENDPOINTS.find((e) => e.path === "/api/admin/configs" && e.method === "post")!), "POST", {
        auth: admin,
        body: { key: "bad-input", name: "Bad input" },
      });
      await call(await handlerFor(ENDPOINTS.find((e) => e.path === "/api/admin/configs/{key}/versions" && e.method === "post")!), "POST", {
        auth: admin,
        params: { key: "bad-input" },
        body: { ...version, label: "v1" },
      });
      await call(await handlerFor(ENDPOINTS.find((e) => e.path === "/api/admin/configs/{key}/scores" && e.method === "post")!), "POST", {
        auth: admin,
        params: { key: "bad-input" },
        body: score,
      });
    }
    const before = await counts();
    const endpoint = ENDPOINTS.find((e) => e.path === endpointPath && e.method === method)!;
    const res = await call(await handlerFor(endpoint), method.toUpperCase(), {
      auth: admin,
      params,
      rawBody,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    if (field) {
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
      if (field !== "(root)") expect(res.body.error.message).toContain(`\`${field}\``);
    }
    expect(await counts()).toEqual(before);
    },
  );
});
