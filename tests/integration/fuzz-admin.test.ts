import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabase } from "@/lib/db/client";
import { ENDPOINTS, type Endpoint } from "@/lib/openapi/endpoints";
import { adminKey, sessionFor } from "../helpers/call";
import { listTables, stateReader, type DbState } from "../helpers/db-state";
import { AdminFixture } from "../helpers/fuzz-admin-fixture";
import { captureServerErrors, checkAnswer, checkDatabase, checkNoPrototypePollution, endpointLabel as label, expectForBody, expectForQuery, fuzzRuns, fuzzSeed, sampleFromShape, type Answer, type Expectation } from "../helpers/fuzz-checks";
import { bodySpec, describeBody, pathsOf, renderBody, requestPayload, valueAt, type BodySpec, type RenderedBody } from "../helpers/hostile-body";
import { querySpec, renderQuery, SWEEP_NUMERIC_QUERY_VALUES, SWEEP_QUERY_VALUES, type QuerySpec } from "../helpers/hostile-query";
import { SWEEP_TEXT, sweepValues } from "../helpers/hostile-values";
import { handlerFor, type RouteHandler as Handler } from "../helpers/route-handler";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Every admin endpoint that takes a body or a query, generated from ENDPOINTS (a new one is fuzzed
// without touching this file), called as an admin — API key or session — with path parameters
// naming real entities, so what is exercised is the validation of the input, not a 404. A hostile
// input gets a 4xx in the product's error shape (a 400 naming a field the schema refuses, 413, 415),
// never a 5xx, and leaves every table as it was. An input that happens to be valid by the schema
// may succeed; what it changed must then be in the audit log.

const RUNS = fuzzRuns(40);
/** DEFAULT_MAX_BODY_BYTES in lib/http/route.ts (not exported): what an admin route reads at most. */
const ADMIN_MAX_BODY_BYTES = 1_000_000;
/** The service reads a missing body as {} here: pause, resume, … need none. */
const MISSING_BODY_IS_EMPTY = new Set(["post /api/admin/rollouts/{id}/{action}"]);
/**
 * Tables whose rows record who did what themselves, and change nothing else: a playground run
 * (who, when, what was called and answered) is kept there, not in the audit log.
 */
const SELF_RECORDING = ["playground_runs", "playground_run_columns"];

let db: TestDatabase;
let fx: AdminFixture;
let readState: () => Promise<DbState>;
const serverErrors = captureServerErrors();
const actors: Record<"key" | "session", Record<string, string>> = { key: {}, session: {} };

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  fx = await AdminFixture.create(db.prisma);
  actors.key = { authorization: await adminKey(db.prisma) };
  actors.session = { cookie: (await sessionFor(db.prisma, "admin")).cookie };
  readState = await stateReader(db, await listTables(db));
  console.log(`fuzz-admin: FUZZ_SEED=${process.env.FUZZ_SEED ?? "20261126 (default)"}, FUZZ_RUNS=${RUNS} per endpoint`);
});
afterAll(async () => {
  await db?.close();
  serverErrors.restore();
});

/** Calls the handler as Next would: a real Request, the body as bytes with its length, or streamed (chunked). */
async function callHandler(handler: Handler, method: string, params: Record<string, string>, actor: "key" | "session", query?: URLSearchParams, body?: RenderedBody): Promise<Answer> {
  const url = new URL("http://test.local/api/fuzz");
  if (query) url.search = query.toString();
  // Streamed endpoints answer one JSON document when asked to: every answer is checked as JSON.
  const headers: Record<string, string> = { ...actors[actor], accept: "application/json" };
  let payload: BodyInit | undefined;
  if (body) {
    const { payload: bytes, length } = requestPayload(body);
    if (body.contentType !== null) headers["content-type"] = body.contentType;
    if (length !== null) headers["content-length"] = String(length);
    payload = bytes;
  }
  const init = { method: method.toUpperCase(), headers, body: payload, duplex: "half" } as RequestInit;
  const response = await handler(new Request(url, init), { params: Promise.resolve(params) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A refused input (and any GET) changed nothing; an accepted one was valid and changed only what it audited. */
function checkAdminDatabase(before: DbState, after: DbState, status: number, expected: Expectation, what: string, isGet: boolean): void {
  checkDatabase(before, after, { status, expected, isGet }, what, (changes) => {
    const recorded = changes.length > 0 && changes.every((c) => SELF_RECORDING.some((table) => c.startsWith(`${table}:`)));
    if (changes.length && !recorded) expect(changes.some((c) => c.startsWith("audit_events:")), `a change is audited (${changes.join("; ")}): ${what}`).toBe(true);
  });
}

/**
 * Endpoints without a body schema (revoke a key, send a test alert) read a body only to refuse
 * what is not JSON, too large or not labelled JSON, and otherwise ignore it. They get only those
 * inputs: any JSON body would legitimately revoke the key or send the alert.
 */
function transportOnly(shape: unknown): fc.Arbitrary<BodySpec> {
  return bodySpec(shape).filter((s) => s.kind === "notJson" || s.kind === "oversize" || (s.kind === "contentType" && !/^application\/json\b/i.test(s.contentType ?? "")));
}

const fill = (template: string, params: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? name);

const fuzzedEndpoints = ENDPOINTS.filter((e) => e.auth === "admin" && (e.method !== "get" || e.query));
const bodySample = (e: Endpoint) => fx.bodies[label(e)] ?? (async () => (e.body ? sampleFromShape(e.body) : {}));
const querySample = (e: Endpoint) => fx.queries[label(e)] ?? (() => sampleFromShape(e.query));
let runNumber = 0;

/** Sends one hostile body and checks the answer and the database; returns the status. */
async function bodyCase(endpoint: Endpoint, handler: Handler, generated: Record<string, string>, who: "key" | "session", spec: BodySpec): Promise<number> {
  const params = fx.params(endpoint).resolve(generated);
  const body = renderBody(spec, await bodySample(endpoint)(++runNumber), ADMIN_MAX_BODY_BYTES);
  const expected = expectForBody(endpoint.body, body, { limit: ADMIN_MAX_BODY_BYTES, blank: "no-body", missingBodyIsEmpty: MISSING_BODY_IS_EMPTY.has(label(endpoint)) });
  const before = await readState();
  const answer = await callHandler(handler, endpoint.method, params, who, undefined, body);
  const what = `${endpoint.method.toUpperCase()} ${fill(endpoint.path, params)} as ${who}, ${describeBody(spec)}: ${body.text.slice(0, 200)}` + serverErrors.causeOf(answer);
  const after = await readState();
  if (answer.status < 300) await fx.restore(endpoint);
  checkAnswer(answer, expected, what, body.text);
  checkAdminDatabase(before, after, answer.status, expected, what, false);
  checkNoPrototypePollution();
  return answer.status;
}

/** Sends one hostile query and checks the answer and that nothing changed; returns the status. */
async function queryCase(endpoint: Endpoint, handler: Handler, generated: Record<string, string>, who: "key" | "session", spec: QuerySpec): Promise<number> {
  const query = renderQuery(spec, querySample(endpoint)());
  const expected = expectForQuery(endpoint.query!, query);
  const before = await readState();
  const answer = await callHandler(handler, "get", fx.params(endpoint).resolve(generated), who, query);
  const what = `GET ${endpoint.path}?${query.toString().slice(0, 300)}` + serverErrors.causeOf(answer);
  checkAnswer(answer, expected, what, query.toString());
  checkAdminDatabase(before, await readState(), answer.status, expected, what, true);
  return answer.status;
}

describe("admin endpoints under hostile input", () => {
  it("covers every admin endpoint that takes input, starting from valid samples", async () => {
    expect(fuzzedEndpoints.filter((e) => e.method !== "get").length).toBeGreaterThanOrEqual(12);
    expect(fuzzedEndpoints.filter((e) => e.query).length).toBeGreaterThanOrEqual(4);
    for (const e of fuzzedEndpoints) {
      if (e.body && fx.bodies[label(e)]) expect(e.body.safeParse(await fx.bodies[label(e)](0)).success, label(e)).toBe(true);
      if (e.query && fx.queries[label(e)]) expect(e.query.safeParse(fx.queries[label(e)]()).success, label(e)).toBe(true);
    }
  });

  for (const endpoint of fuzzedEndpoints) {
    it(`${endpoint.method.toUpperCase()} ${endpoint.path}`, async () => {
      const handler = await handlerFor(endpoint);
      const params = fx.params(endpoint).arbitrary;
      const actor = fc.constantFrom("key" as const, "session" as const);
      const seed = fuzzSeed(label(endpoint));
      const statuses: Record<string, number> = {};
      const tally = (status: number) => void (statuses[status] = (statuses[status] ?? 0) + 1);
      const options = { seed, numRuns: RUNS };
      if (endpoint.method === "get") {
        const queries = querySpec(querySample(endpoint)());
        await fc.assert(fc.asyncProperty(params, actor, queries, async (generated, who, spec) => tally(await queryCase(endpoint, handler, generated, who, spec))), options);
      } else {
        const shape = await bodySample(endpoint)(0);
        const bodies = endpoint.body ? bodySpec(shape) : transportOnly(shape);
        await fc.assert(fc.asyncProperty(params, actor, bodies, async (generated, who, spec) => tally(await bodyCase(endpoint, handler, generated, who, spec))), options);
      }
      console.log(`${label(endpoint)} (seed ${seed}): ${JSON.stringify(statuses)}`);
    });
  }
});

describe("every field of every admin body and query, each hostile value in turn", () => {
  // About 1,100 inputs: 57-75 s on a loaded 2-core machine when each read every table twice, past the default 60 s.
  it("is refused with a 4xx or accepted, never a 500, and a refusal changes nothing", async () => {
    const failures: string[] = [];
    let cases = 0;
    const attempt = (run: () => Promise<number>) =>
      run().then(
        () => void cases++,
        (error: Error) => void failures.push(error.message.split("\n")[0].slice(0, 400)),
      );
    for (const endpoint of fuzzedEndpoints) {
      const handler = await handlerFor(endpoint);
      const generated: Record<string, string> = endpoint.path.includes("{action}") ? { action: "pause" } : {};
      if (endpoint.method === "get") {
        for (const key of Object.keys(querySample(endpoint)())) {
          for (const value of [...SWEEP_QUERY_VALUES, ...SWEEP_NUMERIC_QUERY_VALUES]) await attempt(() => queryCase(endpoint, handler, generated, "key", { kind: "replace", key, value }));
        }
      } else if (endpoint.body) {
        const shape = await bodySample(endpoint)(0);
        const objectPaths = [[], ...pathsOf(shape).filter((p) => isPlainObject(valueAt(shape, p)))];
        for (const path of pathsOf(shape)) {
          for (const value of sweepValues(valueAt(shape, path))) await attempt(() => bodyCase(endpoint, handler, generated, "key", { kind: "replace", path, value }));
        }
        for (const key of [...SWEEP_TEXT, "__proto__"]) {
          for (const at of objectPaths) await attempt(() => bodyCase(endpoint, handler, generated, "key", { kind: "extraKey", at, key, value: { t: "json", v: 1 } }));
        }
      }
    }
    console.log(`fuzz-admin sweep: ${cases + failures.length} inputs, ${failures.length} failed`);
    if (failures.length) console.log(failures.join("\n"));
    expect(failures).toEqual([]);
  }, 240_000);
});

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// The smallest input for each bug the fuzzing found, asserting what the product does now. A new
// bug gets its smallest reproduction here.
describe("product bugs the fuzzing found, now fixed", () => {
  const endpoint = (method: string, p: string) => ENDPOINTS.find((e) => e.method === method && e.path === p)!;
  const post = async (p: string, params: Record<string, string>, text: string) =>
    callHandler(await handlerFor(endpoint("post", p)), "post", params, "key", undefined, { text, contentType: "application/json", declared: true });
  const get = async (p: string, params: Record<string, string>, query: Record<string, string>) =>
    callHandler(await handlerFor(endpoint("get", p)), "get", params, "key", new URLSearchParams(query));
  const refused = (answer: Answer, what: string) => checkAnswer(answer, { status: "4xx", why: "hostile input" }, what);
  const version = { label: "v-bug", model: "gpt-4o", systemPrompt: "x", temperature: 0.5, maxTokens: 10 };

  it("nul-in-text: POST /api/admin/configs {name: \"a\\u0000b\"} → 400, not 500", async () => {
    refused(await post("/api/admin/configs", {}, '{"key":"nul-name","name":"a\\u0000b"}'), "NUL in a config name");
  });
  it("nul-in-text: GET /api/admin/audit?actor=%00 → 400 or 200, not 500", async () => {
    checkAnswer(await get("/api/admin/audit", {}, { actor: "\u0000" }), { status: "not-5xx", why: "a lookup" }, "NUL in an audit filter");
  });
  it("lone-surrogate: POST …/versions {params: {k: \"\\ud800\"}} → 400, not 500", async () => {
    const text = JSON.stringify({ ...version, label: "v-surrogate", params: { k: "\ud800" } });
    refused(await post("/api/admin/configs/{key}/versions", { key: fx.key }, text), "lone surrogate in params");
  });
  it("deep-version-params: POST …/versions {params: {k: 5000 nested arrays}} → 400, not 500", async () => {
    const text = JSON.stringify({ ...version, label: "v-deep", params: { k: "@" } }).replace('"@"', "[".repeat(5000) + "]".repeat(5000));
    refused(await post("/api/admin/configs/{key}/versions", { key: fx.key }, text), "deep params");
  });
  it("cursor-out-of-range: GET /api/admin/audit?cursor=9223372036854775808 → 400, not 500", async () => {
    refused(await get("/api/admin/audit", {}, { cursor: "9223372036854775808" }), "audit cursor over bigint");
  });
  it("cursor-out-of-range: GET …/rollouts/{id}/samples?cursor=99999999999999999999 → 400, not 500", async () => {
    refused(await get("/api/admin/rollouts/{id}/samples", { id: fx.rolloutId }, { cursor: "99999999999999999999" }), "samples cursor over bigint");
  });
  it("non-finite-number-message: stages.0.minSamples = 1e309 → a message that does not say \"must be a number, not a number\"", async () => {
    const text = '{"canaryVersionId":"x","stages":[{"percent":100,"minDurationSec":0,"minSamples":1e309}]}';
    const answer = await post("/api/admin/configs/{key}/rollouts", { key: fx.idleKey }, text);
    expect(answer.status).toBe(400);
    expect(answer.text).not.toMatch(/must be a number, not a number/);
  });
  it("null-body-is-no-body: POST /api/admin/rollouts/{id}/pause with the body `null` → 400", async () => {
    const answer = await post("/api/admin/rollouts/{id}/{action}", { id: fx.rolloutId, action: "pause" }, "null");
    if (answer.status < 300) await post("/api/admin/rollouts/{id}/{action}", { id: fx.rolloutId, action: "resume" }, "");
    expect(answer.status).toBe(400);
  });
});
