import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { routeQueryInput } from "@/lib/hot/route-handler";
import { GATEWAY_MAX_BODY_BYTES } from "@/lib/gateway/schemas";
import { METRICS_MAX_BODY_BYTES } from "@/lib/metrics/schemas";
import { createProvider } from "@/lib/providers/connection-service";
import { ENDPOINTS, type Endpoint } from "@/lib/openapi/endpoints";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createScore } from "@/lib/release/score-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { listTables, stateReader, type DbState } from "../helpers/db-state";
import { captureServerErrors, checkAnswer, checkDatabase, checkNoPrototypePollution, endpointLabel as label, expectForBody, expectForQuery, fuzzRuns, fuzzSeed, sampleFromShape, type Answer, type Expectation } from "../helpers/fuzz-checks";
import { bodySpec, describeBody, pathsOf, renderBody, requestPayload, valueAt, type BodySpec, type RenderedBody } from "../helpers/hostile-body";
import { querySpec, renderQuery, SWEEP_QUERY_VALUES, type QuerySpec } from "../helpers/hostile-query";
import { sweepValues } from "../helpers/hostile-values";
import { startProviderProcess, type ProviderProcess } from "../helpers/openai-compatible-process";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The client API (/api/route, /api/routing-state, /api/metrics, /api/scores, /api/feedback) and the
// gateway (/v1/chat/completions, in front of the test provider) over real HTTP, with
// every endpoint that takes a body or a query generated from ENDPOINTS and called with a key of
// the scope it needs. A hostile input gets a 4xx in the product's error shape, never a 5xx, and
// leaves every table as it was; an input valid by the schema may be stored (outcomes, their scores
// and their rollups only).

const RUNS = fuzzRuns(40);
/** SMALL_BODY_MAX_BYTES in lib/hot/client-api.ts (not exported): /api/route and /api/feedback bodies. */
const SMALL_BODY_MAX_BYTES = 64_000;
const limitOf = (e: Endpoint) =>
  e.path === "/api/metrics" || e.path === "/api/scores" ? METRICS_MAX_BODY_BYTES : e.path.startsWith("/v1/") ? GATEWAY_MAX_BODY_BYTES : SMALL_BODY_MAX_BYTES;
const isGateway = (e: Endpoint) => e.errorShape === "openai";
/** What an accepted report, score or rating may change. */
const CLIENT_WRITES = ["outcomes", "outcome_keys", "metric_rollups", "metric_rollups_hourly", "outcome_scores", "score_rollups", "score_rollups_hourly"];

const system: Actor = { type: "system", id: null, label: "fuzz setup", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", providerId: fx.providerId, systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 256 });

let db: TestDatabase;
let provider: ProviderProcess;
let srv: ClientApiServer;
let readState: () => Promise<DbState>;
const serverErrors = captureServerErrors();
const keys: Record<string, string> = {};
const fx = { key: "fuzz", stableId: "", canaryId: "", rolloutId: "", ratedRequestId: "fuzz-reported", providerId: null as string | null };

beforeAll(async () => {
  db = await createTestDatabase();
  // The gateway's valid calls reach the test provider through a connection.
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = "127.0.0.1";
  provider = await startProviderProcess();
  fx.providerId = (await createProvider(db.prisma, system, { name: "local", baseUrl: `${provider.origin}/v1`, apiKey: "sk-fuzz-0123456789" })).id;
  await createConfig(db.prisma, system, { key: fx.key, name: "Fuzz target" });
  fx.stableId = (await createVersion(db.prisma, system, fx.key, version("v1"))).id;
  fx.canaryId = (await createVersion(db.prisma, system, fx.key, version("v2"))).id;
  await createScore(db.prisma, system, fx.key, { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 });
  await createScore(db.prisma, system, fx.key, { key: "valid_json", label: "Valid JSON", kind: "boolean" });
  fx.rolloutId = (await startRollout(db.prisma, system, fx.key, { canaryVersionId: fx.canaryId })).id;
  keys.route = await adminKey(db.prisma, ["route"]);
  keys.metrics = await adminKey(db.prisma, ["metrics"]);
  keys.gateway = await adminKey(db.prisma, ["gateway"]);
  srv = await startClientApiServer(db);
  const reported = await send(srv.baseUrl, "/api/metrics", { auth: keys.metrics, body: { events: [{ ...event(0), requestId: fx.ratedRequestId }] } });
  expect(reported.status).toBe(202);
  readState = await stateReader(db, await listTables(db));
  console.log(`fuzz-client: FUZZ_SEED=${process.env.FUZZ_SEED ?? "20261126 (default)"}, FUZZ_RUNS=${RUNS} per endpoint`);
});
afterAll(async () => {
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = "true";
  await srv?.close();
  await provider?.stop();
  await db?.close();
  serverErrors.restore();
});

function event(n: number) {
  return {
    requestId: `fuzz-${n}`,
    config: fx.key,
    versionId: fx.canaryId,
    rolloutId: fx.rolloutId,
    isError: false,
    latencyMs: 120,
    rating: 4,
    errorType: "timeout",
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0.001,
    input: "hello",
    output: "hi there",
    scores: { groundedness: 0.75, valid_json: true },
    at: new Date().toISOString(),
  };
}

// Valid bodies and queries (fresh per run `n`: a new request id, so a valid report is stored).
const BODY_SAMPLES: Record<string, (n: number) => unknown> = {
  "post /api/route": (n) => ({ config: fx.key, userId: `user-${n}`, requestId: `req-${n}`, variables: { tone: "calm" } }),
  "post /api/metrics": (n) => ({ events: [event(n)] }),
  "post /api/scores": () => ({ events: [{ requestId: fx.ratedRequestId, config: fx.key, scores: { groundedness: 0.5, valid_json: false } }] }),
  "post /api/feedback": () => ({ requestId: fx.ratedRequestId, rating: 4, comment: "spot on", config: fx.key }),
  "post /v1/chat/completions": (n) => ({
    model: fx.key,
    user: `user-${n}`,
    messages: [{ role: "user", content: "Where is my order?" }],
    temperature: 0.7,
    stream: false,
    stream_options: { include_usage: true },
    variables: { tone: "calm" },
  }),
};
/** How an endpoint reads its query beyond Object.fromEntries: /api/route gathers `variables[name]`. */
const QUERY_INPUTS: Record<string, (query: Record<string, string>) => unknown> = { "get /api/route": routeQueryInput };
const QUERY_SAMPLES: Record<string, () => Record<string, string>> = {
  "get /api/route": () => ({ config: fx.key, userId: "user-1", requestId: "req-1", "variables[tone]": "calm" }),
  "get /api/routing-state": () => ({ config: fx.key }),
};

const fuzzedEndpoints = ENDPOINTS.filter((e) => e.auth === "client" && (e.body || e.query));
const bodySample = (e: Endpoint) => BODY_SAMPLES[label(e)] ?? (() => sampleFromShape(e.body));
const querySample = (e: Endpoint) => QUERY_SAMPLES[label(e)] ?? (() => sampleFromShape(e.query));
let runNumber = 0;

/** Over real HTTP: the body as bytes with their length, or streamed (chunked, no length). */
async function request(endpoint: Endpoint, query?: URLSearchParams, body?: RenderedBody): Promise<Answer> {
  const headers: Record<string, string> = { authorization: keys[endpoint.keyScope!] };
  let payload: BodyInit | undefined;
  if (body) {
    if (body.contentType !== null) headers["content-type"] = body.contentType;
    payload = requestPayload(body).payload; // fetch sends the length of bytes itself
  }
  const url = `${srv.baseUrl}${endpoint.path}${query ? `?${query.toString()}` : ""}`;
  const response = await fetch(url, { method: endpoint.method.toUpperCase(), headers, body: payload, duplex: "half" } as RequestInit);
  const answer = { status: response.status, headers: response.headers, text: await response.text() };
  // The gateway records outcomes in the background: stored now, so the state read next shows them.
  if (isGateway(endpoint)) await srv.gateway.recorder.flush();
  return answer;
}

/** A refusal (and any GET) changed nothing; an accepted report or rating changed only outcomes and rollups. */
function checkClientDatabase(before: DbState, after: DbState, status: number, expected: Expectation, what: string, isGet: boolean): void {
  checkDatabase(before, after, { status, expected, isGet }, what, (changes) => {
    expect(changes.filter((c) => !CLIENT_WRITES.includes(c.split(":")[0])), `an accepted input writes only ${CLIENT_WRITES.join(", ")}: ${what}`).toEqual([]);
  });
}

async function bodyCase(endpoint: Endpoint, spec: BodySpec): Promise<number> {
  const body = renderBody(spec, bodySample(endpoint)(++runNumber), limitOf(endpoint));
  const expected = expectForBody(endpoint.body, body, { limit: limitOf(endpoint), blank: "refused" });
  const before = await readState();
  const answer = await request(endpoint, undefined, body);
  const what = `POST ${endpoint.path}, ${describeBody(spec)}: ${body.text.slice(0, 200)}` + serverErrors.causeOf(answer);
  const after = await readState();
  checkAnswer(answer, expected, what, body.text, isGateway(endpoint) ? "openai" : "product");
  checkClientDatabase(before, after, answer.status, expected, what, false);
  checkNoPrototypePollution(); // the client API runs in this process too
  return answer.status;
}

async function queryCase(endpoint: Endpoint, spec: QuerySpec): Promise<number> {
  const query = renderQuery(spec, querySample(endpoint)());
  const expected = expectForQuery(endpoint.query!, query, QUERY_INPUTS[label(endpoint)]);
  const before = await readState();
  const answer = await request(endpoint, query);
  const what = `GET ${endpoint.path}?${query.toString().slice(0, 300)}` + serverErrors.causeOf(answer);
  checkAnswer(answer, expected, what, query.toString());
  checkClientDatabase(before, await readState(), answer.status, expected, what, true);
  return answer.status;
}

describe("client API under hostile input", () => {
  it("covers every client endpoint that takes input, starting from valid samples", () => {
    expect(fuzzedEndpoints.map(label).sort()).toEqual([
      "get /api/route",
      "get /api/routing-state",
      "post /api/feedback",
      "post /api/metrics",
      "post /api/route",
      "post /api/scores",
      "post /v1/chat/completions",
    ]);
    for (const e of fuzzedEndpoints) {
      if (e.body) expect(e.body.safeParse(bodySample(e)(0)).success, label(e)).toBe(true);
      if (e.query) expect(e.query.safeParse((QUERY_INPUTS[label(e)] ?? ((q) => q))(querySample(e)())).success, label(e)).toBe(true);
    }
  });

  for (const endpoint of fuzzedEndpoints) {
    it(`${endpoint.method.toUpperCase()} ${endpoint.path}`, async () => {
      const seed = fuzzSeed(label(endpoint));
      const statuses: Record<string, number> = {};
      const tally = (status: number) => void (statuses[status] = (statuses[status] ?? 0) + 1);
      const options = { seed, numRuns: RUNS };
      if (endpoint.query) await fc.assert(fc.asyncProperty(querySpec(querySample(endpoint)()), async (spec) => tally(await queryCase(endpoint, spec))), options);
      else await fc.assert(fc.asyncProperty(bodySpec(bodySample(endpoint)(0)), async (spec) => tally(await bodyCase(endpoint, spec))), options);
      console.log(`${label(endpoint)} (seed ${seed}): ${JSON.stringify(statuses)}`);
    });
  }

  it("every field, each hostile value in turn: refused with a 4xx or accepted, never a 500, and a refusal changes nothing", async () => {
    const failures: string[] = [];
    const cases: (() => Promise<number>)[] = [];
    for (const endpoint of fuzzedEndpoints) {
      if (endpoint.query) {
        for (const key of Object.keys(querySample(endpoint)())) for (const value of SWEEP_QUERY_VALUES) cases.push(() => queryCase(endpoint, { kind: "replace", key, value }));
      } else {
        const shape = bodySample(endpoint)(0);
        for (const path of pathsOf(shape)) {
          for (const value of sweepValues(valueAt(shape, path))) cases.push(() => bodyCase(endpoint, { kind: "replace", path, value }));
        }
      }
    }
    for (const run of cases) await run().catch((error: Error) => failures.push(error.message.split("\n")[0].slice(0, 400)));
    console.log(`fuzz-client sweep: ${cases.length} inputs, ${failures.length} failed`);
    if (failures.length) console.log(failures.join("\n"));
    expect(failures).toEqual([]);
  });
});

// The smallest input for each bug the fuzzing found in the client API, asserting what it does now.
// A new bug gets its smallest reproduction here.
describe("product bugs the fuzzing found, now fixed", () => {
  const post = async (path: string, text: string) => {
    const endpoint = ENDPOINTS.find((e) => e.method === "post" && e.path === path)!;
    return request(endpoint, undefined, { text, contentType: "application/json", declared: true });
  };
  const refused = (answer: Answer, what: string) => checkAnswer(answer, { status: "4xx", why: "hostile input" }, what);

  it("nul-in-text: POST /api/metrics with errorType \"a\\u0000b\" → 400, not 500", async () => {
    refused(await post("/api/metrics", JSON.stringify({ events: [{ ...event(-1), errorType: "a\u0000b" }] })), "NUL in errorType");
  });
  it("nul-in-text: POST /api/feedback with comment \"\\u0000\" → 400, not 500", async () => {
    refused(await post("/api/feedback", JSON.stringify({ requestId: fx.ratedRequestId, rating: 3, comment: "\u0000" })), "NUL in a comment");
  });
  it("deep-content: POST /v1/chat/completions with a message's content nested 5000 levels deep → 400 naming it, not 500 (serializing it for the provider overflowed the stack)", async () => {
    const deep = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
    const answer = await post("/v1/chat/completions", `{"model":"${fx.key}","user":"u","messages":[{"role":"user","content":${deep}}]}`);
    checkAnswer(answer, { status: 400, why: "nested too deeply" }, "deep content", "", "openai");
    expect(JSON.parse(answer.text).error.message).toMatch(/^The `messages\.0\.content\.a\.a[.a]*` field is nested too deeply: the body may nest at most 64 levels\.$/);
  });
  it("non-finite-number-message: events.0.inputTokens = 1e309 → a message that does not say \"must be a number, not a number\"", async () => {
    const answer = await post("/api/metrics", JSON.stringify({ events: [{ ...event(-2), inputTokens: "@" }] }).replace('"@"', "1e309"));
    expect(answer.status).toBe(400);
    expect(answer.text).not.toMatch(/must be a number, not a number/);
  });
});
