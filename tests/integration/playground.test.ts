import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as playground from "@/app/api/admin/configs/[key]/playground/route";
import * as runs from "@/app/api/admin/configs/[key]/playground/runs/route";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { startPlaygroundRun } from "@/lib/playground/run-service";
import type { ColumnResultDto, PlaygroundEvent } from "@/lib/playground/schemas";
import { setPrice } from "@/lib/pricing/service";
import { createProvider } from "@/lib/providers/connection-service";
import { createConfig } from "@/lib/release/config-service";
import { createVersion } from "@/lib/release/version-service";
import { call, sessionFor } from "../helpers/call";
import { startProviderProcess, type ProviderProcess } from "../helpers/openai-compatible-process";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The playground through its route handlers on a real database, against the OpenAI-compatible
// test server in a process of its own: columns stream side by side as newline-delimited JSON, a
// failing or slow column fails alone, runs are stored and listed, bad input is a 400 naming the
// field (nothing called, nothing stored), and viewers are refused.

const KEY = `sk-play-${randomBytes(12).toString("hex")}`;
const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const CONFIG = "play-chat";
let db: TestDatabase;
let provider: ProviderProcess;
let providerId: string;
let editor: string;
let viewer: string;
const v: Record<string, string> = {};
const answers: string[] = []; // every answer's text, searched for the key at the end

const template = (system: string) => [
  { role: "system", content: system },
  { role: "placeholder", name: "history" },
];

beforeAll(async () => {
  process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  db = await createTestDatabase();
  setDatabase(db);
  provider = await startProviderProcess({ apiKey: KEY });
  providerId = (await createProvider(db.prisma, system, { name: "local", baseUrl: `${provider.origin}/v1`, apiKey: KEY })).id;
  await setPrice(db.prisma, system, { model: "test-chat", inputUsdPerMillion: 1, outputUsdPerMillion: 2 });
  await createConfig(db.prisma, system, { key: CONFIG, name: "Playground" });
  const version = async (label: string, fields: Record<string, unknown>) =>
    (v[label] = (await createVersion(db.prisma, system, CONFIG, { label, model: "test-chat", providerId, temperature: 0.2, maxTokens: 64, ...fields })).id);
  await version("v1", { messages: template("You help with {{product}}.") });
  await version("v2", { messages: template("You help with {{product}}. Be brief."), temperature: 0.7 });
  await version("failing", { model: "error-500", messages: template("x") });
  await version("slow", { model: "slow-5000", messages: template("x") });
  await version("unconnected", { providerId: null, messages: template("x") });
  await version("tools", {
    messages: template("Look things up."),
    tools: [{ name: "lookup_order", description: "Find an order", parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } }],
  });
  editor = (await sessionFor(db.prisma, "editor")).cookie;
  viewer = (await sessionFor(db.prisma, "viewer")).cookie;
});
afterAll(async () => {
  for (const text of answers) expect(text).not.toContain(KEY);
  await provider?.stop();
  await db?.close();
});

const request = (path: string, init: { body?: unknown; cookie?: string; accept?: string } = {}) =>
  new Request(`http://test.local${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: { cookie: init.cookie ?? editor, ...(init.accept && { accept: init.accept }), ...(init.body !== undefined && { "content-type": "application/json", origin: "http://test.local" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
const params = (key = CONFIG) => ({ params: Promise.resolve({ key }) });

/** POSTs a run and reads its events line by line as they arrive. */
async function stream(body: unknown): Promise<{ status: number; contentType: string | null; events: PlaygroundEvent[] }> {
  const response = await playground.POST(request(`/api/admin/configs/${CONFIG}/playground`, { body }), params());
  const events: PlaygroundEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      answers.push(buffer.slice(0, nl));
      events.push(JSON.parse(buffer.slice(0, nl)) as PlaygroundEvent);
      buffer = buffer.slice(nl + 1);
    }
  }
  expect(buffer, "the stream ends with a whole line").toBe("");
  return { status: response.status, contentType: response.headers.get("content-type"), events };
}

const doneOf = (events: PlaygroundEvent[], column: number) => events.find((e): e is Extract<PlaygroundEvent, { type: "done" }> => e.type === "done" && e.column === column)!.result;
const received = async () => ((await (await fetch(`${provider.origin}/_requests`)).json()) as { requests: { path: string; body: { model: string; messages: { role: string; content: string }[]; temperature?: number; max_tokens?: number; tools?: unknown[] } }[] }).requests;
const storedRuns = () => db.prisma.playgroundRun.count();

describe("a playground run", () => {
  it("streams two versions side by side with tokens, cost and timings, and stores the run", async () => {
    const before = (await received()).length;
    const { status, contentType, events } = await stream({ columns: [{ versionId: v.v1 }, { versionId: v.v2 }], variables: { product: "Acme Router" }, userMessage: "How do I reset it?" });
    expect(status).toBe(200);
    expect(contentType).toMatch(/^application\/x-ndjson/);
    expect(events[0]).toMatchObject({ type: "start", runId: expect.stringMatching(/^pgr_/), columns: [{ position: 0, versionId: v.v1, versionLabel: "v1", providerName: "local" }, { position: 1, versionLabel: "v2" }] });

    for (const column of [0, 1]) {
      const deltas = events.filter((e) => e.type === "delta" && e.column === column);
      const done = events.findIndex((e) => e.type === "done" && e.column === column);
      expect(deltas.length, "the answer comes in pieces").toBeGreaterThan(1);
      expect(events.lastIndexOf(deltas.at(-1)!)).toBeLessThan(done);
      expect(deltas.map((d) => (d.type === "delta" ? d.content : "")).join("")).toBe("Echo: How do I reset it?");
      const result = doneOf(events, column);
      // The test provider counts words: the rendered system message and the user message in, the answer out.
      const systemWords = column === 0 ? 5 : 7;
      expect(result).toMatchObject({ content: "Echo: How do I reset it?", finishReason: "stop", inputTokens: systemWords + 5, outputTokens: 6, error: null, settings: null });
      expect(result.costUsd).toBeCloseTo(((systemWords + 5) * 1 + 6 * 2) / 1_000_000, 12);
      expect(result.ttftMs).not.toBeNull();
      expect(result.ttftMs!).toBeLessThanOrEqual(result.latencyMs);
    }

    // Each version was called with its own settings, its messages rendered as /api/route renders them (no history placeholder).
    const calls = (await received()).slice(before).map((r) => r.body).sort((a, b) => a.messages[0].content.length - b.messages[0].content.length);
    expect(calls).toMatchObject([
      { model: "test-chat", temperature: 0.2, max_tokens: 64, messages: [{ role: "system", content: "You help with Acme Router." }, { role: "user", content: "How do I reset it?" }] },
      { model: "test-chat", temperature: 0.7, messages: [{ role: "system", content: "You help with Acme Router. Be brief." }, { role: "user", content: "How do I reset it?" }] },
    ]);

    const last = events.at(-1)!;
    expect(last.type).toBe("run");
    const run = (last as Extract<PlaygroundEvent, { type: "run" }>).run;
    expect(run).toMatchObject({ id: (events[0] as { runId: string }).runId, configKey: CONFIG, actor: { type: "user", label: expect.stringMatching(/^editor-/) }, variables: { product: "Acme Router" }, userMessage: "How do I reset it?" });
    expect(run.columns).toEqual([doneOf(events, 0), doneOf(events, 1)]);

    const listed = await call(runs.GET, "GET", { cookie: editor, params: { key: CONFIG } });
    answers.push(JSON.stringify(listed.body));
    expect(listed.status).toBe(200);
    expect(listed.body.runs[0]).toEqual(JSON.parse(JSON.stringify(run)));
  });

  it("runs unsaved edits of a version, and keeps the edits with the run", async () => {
    const messages = [{ role: "system", content: "Edited for {{product}}." }, { role: "placeholder", name: "history" }, { role: "user", content: "Then say goodbye." }];
    const settings = { model: "test-chat", providerId, messages, temperature: 0.1, maxTokens: 3 };
    const { events } = await stream({ columns: [{ settings, basedOnVersionId: v.v1 }], variables: { product: "Acme" }, userMessage: "one two three four" });
    const result = doneOf(events, 0);
    expect(result).toMatchObject({ versionId: null, basedOnVersionId: v.v1, versionLabel: "v1", content: "Echo: Then say", finishReason: "length", error: null });
    expect(result.settings).toMatchObject({ ...settings, variables: [{ name: "product" }], topP: 1, tools: [] });
    // The user message takes the history placeholder's place, as the gateway places a client's messages.
    expect((await received()).at(-1)!.body.messages).toEqual([
      { role: "system", content: "Edited for Acme." },
      { role: "user", content: "one two three four" },
      { role: "user", content: "Then say goodbye." },
    ]);
  });

  it("shows a provider's error in its column while the other column answers", async () => {
    const { events } = await stream({ columns: [{ versionId: v.failing }, { versionId: v.v1 }], variables: { product: "Acme" }, userMessage: "hi" });
    expect(doneOf(events, 0)).toMatchObject({
      content: "",
      inputTokens: null,
      costUsd: null,
      ttftMs: null,
      error: { kind: "http_status", status: 500, message: "The endpoint answered HTTP 500: The model error-500 fails on purpose with 500." },
    });
    expect(doneOf(events, 1)).toMatchObject({ content: "Echo: hi", error: null });
    const run = (events.at(-1) as Extract<PlaygroundEvent, { type: "run" }>).run;
    expect(run.columns.map((c) => c.error?.kind ?? null)).toEqual(["http_status", null]);
  });

  it("shows a tool call the model makes", async () => {
    const { events } = await stream({ columns: [{ versionId: v.tools }], userMessage: "where is order 7?" });
    expect(doneOf(events, 0)).toMatchObject({ content: "", toolCalls: [{ id: "call_lookup_order", name: "lookup_order", arguments: '{"id":"example"}' }], finishReason: "tool_calls", error: null });
    expect((await received()).at(-1)!.body.tools).toEqual([{ type: "function", function: { name: "lookup_order", description: "Find an order", parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } } }]);
  });

  it("answers the stored run as one JSON document when asked for JSON", async () => {
    const response = await playground.POST(request(`/api/admin/configs/${CONFIG}/playground`, { body: { columns: [{ versionId: v.v2 }], variables: { product: "Acme" } }, accept: "application/json" }), params());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const run = (await response.json()) as { id: string; columns: ColumnResultDto[] };
    expect(run.columns[0]).toMatchObject({ versionLabel: "v2", content: "Echo: ", error: null });
    expect(await db.prisma.playgroundRun.findUnique({ where: { id: run.id } })).not.toBeNull();
  });
});

describe("a column that does not finish", () => {
  const actor = async (): Promise<Actor> => ({ type: "system", id: null, label: "test", scopes: [] });

  it("times out alone", async () => {
    const run = await startPlaygroundRun(db.prisma, await actor(), CONFIG, { columns: [{ versionId: v.slow }, { versionId: v.v1 }], variables: { product: "Acme" } }, { call: { timeoutMs: 300 } });
    const stored = await run.finished;
    expect(stored.columns[0].error).toMatchObject({ kind: "timeout" });
    expect(stored.columns[1]).toMatchObject({ content: "Echo: ", error: null });
  });

  it("is stopped by cancel, and the run is stored with what came", async () => {
    const run = await startPlaygroundRun(db.prisma, await actor(), CONFIG, { columns: [{ versionId: v.slow }] });
    run.cancel();
    const stored = await run.finished;
    expect(stored.columns[0].error).toEqual({ kind: "cancelled", status: null, message: "The run was stopped before this answer finished." });
    expect(await db.prisma.playgroundRun.findUnique({ where: { id: stored.id } })).not.toBeNull();
  });
});

describe("bad input", () => {
  const CASES: [what: string, body: unknown, field: string][] = [
    ["no columns", { columns: [] }, "columns"],
    ["five columns", { columns: Array(5).fill({ versionId: "ver_x" }) }, "columns"],
    ["a version of no config", { columns: [{ versionId: "ver_nope" }] }, "columns.0.versionId"],
    ["a version and edits at once", { columns: [{ versionId: "ver_nope", settings: { model: "m", messages: [{ role: "user", content: "x" }], temperature: 1, maxTokens: 5 } }] }, "columns.0.versionId"],
    ["edits with a bad temperature", { columns: [{ settings: { model: "m", providerId: "prv_x", messages: [{ role: "user", content: "x" }], temperature: 9, maxTokens: 5 } }] }, "columns.0.settings.temperature"],
    ["edits with a broken template", { columns: [{ settings: { model: "m", messages: [{ role: "user", content: "{{#open}}" }], temperature: 1, maxTokens: 5 } }] }, "columns.0.settings.messages.0.content"],
    ["a missing variable", { columns: [{ versionId: "@v1" }] }, "variables.product"],
    ["a version without a connection", { columns: [{ versionId: "@unconnected" }] }, "columns.0.providerId"],
    ["a connection that does not exist", { columns: [{ versionId: "@v1", providerId: "prv_gone" }], variables: { product: "x" } }, "columns.0.providerId"],
    ["edits naming a connection that does not exist", { columns: [{ settings: { model: "m", providerId: "prv_gone", messages: [{ role: "user", content: "x" }], temperature: 1, maxTokens: 5 } }] }, "columns.0.settings.providerId"],
    ["a user message of the wrong type", { columns: [{ versionId: "@v1" }], userMessage: 5 }, "userMessage"],
    ["an unknown field", { columns: [{ versionId: "@v1" }], stream: true }, "(root)"],
  ];

  it.each(CASES)("%s → 400 naming the field; nothing called, nothing stored", async (_what, raw, field) => {
    const body = JSON.parse(JSON.stringify(raw).replace(/"@(\w+)"/g, (_, label: string) => JSON.stringify(v[label])));
    const [runsBefore, callsBefore] = [await storedRuns(), (await received()).length];
    const res = await call(playground.POST, "POST", { cookie: editor, headers: { origin: "http://test.local" }, params: { key: CONFIG }, body });
    answers.push(JSON.stringify(res.body));
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    if (field !== "(root)") expect(res.body.error.message).toContain(`\`${field}\``);
    expect([await storedRuns(), (await received()).length]).toEqual([runsBefore, callsBefore]);
  });

  it("names a version whose connection was deleted since", async () => {
    const gone = (await createProvider(db.prisma, system, { name: "short-lived", baseUrl: `${provider.origin}/v1`, apiKey: KEY })).id;
    const orphan = (await createVersion(db.prisma, system, CONFIG, { label: "orphan", model: "test-chat", providerId: gone, systemPrompt: "x", temperature: 0, maxTokens: 5 })).id;
    await db.prisma.providerConnection.delete({ where: { id: gone } });
    const res = await call(playground.POST, "POST", { cookie: editor, headers: { origin: "http://test.local" }, params: { key: CONFIG }, body: { columns: [{ versionId: orphan }] } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(`The \`columns.0.providerId\` field must name a provider connection; ${gone} is none (\`orphan\` names it, but it was deleted since; pick another).`);
  });

  it("pages through the runs with the cursor, and refuses a bad one", async () => {
    const first = await call(runs.GET, "GET", { cookie: editor, params: { key: CONFIG }, query: { limit: "1" } });
    expect(first.body.runs).toHaveLength(1);
    const second = await call(runs.GET, "GET", { cookie: editor, params: { key: CONFIG }, query: { limit: "1", cursor: first.body.nextCursor } });
    expect(second.body.runs[0].id).not.toBe(first.body.runs[0].id);
    expect(new Date(second.body.runs[0].createdAt) <= new Date(first.body.runs[0].createdAt)).toBe(true);
    expect((await call(runs.GET, "GET", { cookie: editor, params: { key: CONFIG }, query: { cursor: "x" } })).body.error.details[0].path).toBe("cursor");
  });
});

describe("who may", () => {
  it("refuses viewers both the run and the list, and answers 404 for an unknown config", async () => {
    const before = await storedRuns();
    const post = await call(playground.POST, "POST", { cookie: viewer, headers: { origin: "http://test.local" }, params: { key: CONFIG }, body: { columns: [{ versionId: v.v1 }] } });
    expect(post.status).toBe(403);
    expect(post.body.error.message).toContain("playground:run");
    expect((await call(runs.GET, "GET", { cookie: viewer, params: { key: CONFIG } })).status).toBe(403);
    expect(await storedRuns()).toBe(before);
    expect((await call(runs.GET, "GET", { cookie: editor, params: { key: "no-such-config" } })).status).toBe(404);
  });
});
