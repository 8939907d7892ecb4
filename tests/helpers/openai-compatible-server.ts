import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A small OpenAI-compatible server for tests: the chat-completions wire format (answered whole,
// or streamed as server-sent events with the final usage chunk `stream_options.include_usage`
// asks for), tool calls, GET /models, errors in OpenAI's shape and slow answers, all
// deterministic. Started as a process of its own (./openai-compatible-process.ts runs this file).
//
// What it answers, by request:
// - model `error-<status>` (e.g. `error-429`): that status with an OpenAI error body;
//   `slow-<ms>`: waits that long before answering (streamed: before the first chunk);
//   `hold-<name>`: streamed, sends the first word and then waits until POST /_release/<name>
//   (whole: answers only then), so a test sees chunks arrive before the answer ends;
// - headers, for every path (so a connection's extra headers steer it): `x-test-status: <status>`
//   answers that status; `x-test-delay-ms: <ms>` waits first; `x-test-redirect: <url>` answers
//   302 to `<url>` followed by the rest of the request's path after /v1;
// - tools given and tool_choice not "none", with no tool answer yet: a call of the named tool (or
//   the first one) with arguments made from its parameters' schema; after a `tool` message: text;
// - otherwise the text `Echo: <the last user message>`, cut to max_tokens (finish_reason length).
// Tokens are counted as whitespace-separated words. With an api key set, any other bearer gets
// 401 — whose message repeats the key it was sent, as a careless provider might, so tests can see
// the product blot it out. GET /_requests lists what was received (method, path, headers, body, and
// whether the caller hung up before the answer ended: `closedEarly`).

export interface ProviderServerOptions {
  /** Required as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string;
  models?: string[];
}

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
  closedEarly: boolean;
}

/** Answers waiting for POST /_release/<name>, by name. */
const held = new Map<string, (() => void)[]>();

function holdUntilReleased(name: string): Promise<void> {
  return new Promise((resolve) => held.set(name, [...(held.get(name) ?? []), resolve]));
}

interface Tool {
  type?: string;
  function?: { name?: string; parameters?: { properties?: Record<string, { type?: string }> } };
}

const CREATED = 1_765_000_000;

export function createProviderServer(options: ProviderServerOptions = {}): Server {
  const received: Received[] = [];
  const models = options.models ?? ["test-chat", "test-chat-mini", "test-judge"];
  return createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, "The test server failed.", "server_error");
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const path = (req.url ?? "/").split("?")[0];
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    if (path === "/_requests") {
      sendJson(res, 200, { requests: received });
      return;
    }
    const release = /^\/_release\/(.+)$/.exec(path);
    if (release) {
      const waiting = held.get(release[1]) ?? [];
      held.delete(release[1]);
      for (const resolve of waiting) resolve();
      sendJson(res, 200, { released: waiting.length });
      return;
    }
    const entry: Received = { method: req.method ?? "", path, headers: req.headers, body, closedEarly: false };
    received.push(entry);
    res.once("close", () => (entry.closedEarly = !res.writableFinished));
    const delay = Number(req.headers["x-test-delay-ms"] ?? 0);
    if (delay > 0) await sleep(delay);
    const redirect = req.headers["x-test-redirect"];
    if (typeof redirect === "string") {
      res.writeHead(302, { location: `${redirect}${path.replace(/^.*?\/v1(?=\/|$)/, "")}` }).end();
      return;
    }
    const forced = Number(req.headers["x-test-status"] ?? 0);
    if (forced >= 400) return sendError(res, forced, `Forced status ${forced} (x-test-status).`, "test_error");
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      const sent = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      return sendError(res, 401, `Incorrect API key provided: ${sent}. You can find your API key at https://example.test/keys.`, "invalid_api_key");
    }
    if (req.method === "GET" && path.endsWith("/models")) {
      sendJson(res, 200, { object: "list", data: models.map((id) => ({ id, object: "model", created: CREATED, owned_by: "llm-canary-tests" })) });
      return;
    }
    if (req.method === "POST" && path.endsWith("/chat/completions")) return chat(res, body);
    sendError(res, 404, `Unknown path ${req.method} ${path}.`, "not_found");
  }
}

async function chat(res: ServerResponse, body: unknown): Promise<void> {
  const request = (body ?? {}) as Record<string, unknown>;
  if (typeof request.model !== "string" || !Array.isArray(request.messages) || request.messages.length === 0) {
    return sendError(res, 400, "`model` (a string) and `messages` (a non-empty array) are required.", "invalid_request_error", request.model === undefined ? "model" : "messages");
  }
  const model = request.model;
  const status = /^error-(\d{3})$/.exec(model);
  if (status) return sendError(res, Number(status[1]), `The model ${model} fails on purpose with ${status[1]}.`, Number(status[1]) === 429 ? "rate_limit_exceeded" : "test_error");
  const slow = /^slow-(\d+)$/.exec(model);
  if (slow) await sleep(Number(slow[1]));
  const hold = /^hold-(.+)$/.exec(model)?.[1];
  if (hold && request.stream !== true) await holdUntilReleased(hold);

  const messages = request.messages as { role?: string; content?: unknown }[];
  const promptTokens = messages.reduce((sum, m) => sum + words(typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? "")).length, 0);
  const answer = decide(request, messages);
  const id = `chatcmpl-test-${promptTokens}-${answer.kind}`;
  const completionTokens = answer.kind === "text" ? words(answer.text).length : words(answer.arguments).length;
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const base = { id, created: CREATED, model, system_fingerprint: "fp_test" };

  if (request.stream !== true) {
    const message = answer.kind === "text"
      ? { role: "assistant", content: answer.text, refusal: null }
      : { role: "assistant", content: null, refusal: null, tool_calls: [{ id: answer.callId, type: "function", function: { name: answer.name, arguments: answer.arguments } }] };
    sendJson(res, 200, { ...base, object: "chat.completion", choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finish }], usage });
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  const chunk = (delta: unknown, finish: string | null = null) => ({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  if (answer.kind === "text") {
    send(chunk({ role: "assistant", content: "", refusal: null }));
    const pieces = answer.text.match(/\S+\s*/g) ?? [];
    for (const [i, piece] of pieces.entries()) {
      send(chunk({ content: piece }));
      if (i === 0 && hold) await holdUntilReleased(hold);
      if (res.destroyed) return;
    }
  } else {
    send(chunk({ role: "assistant", content: null, tool_calls: [{ index: 0, id: answer.callId, type: "function", function: { name: answer.name, arguments: "" } }] }));
    for (const piece of answer.arguments.match(/.{1,8}/gs) ?? []) send(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
  }
  send(chunk({}, answer.finish));
  const streamOptions = request.stream_options as { include_usage?: boolean } | undefined;
  if (streamOptions?.include_usage) send({ ...base, object: "chat.completion.chunk", choices: [], usage });
  res.end("data: [DONE]\n\n");
}

type Answer =
  | { kind: "text"; text: string; finish: "stop" | "length" }
  | { kind: "tool"; name: string; arguments: string; callId: string; finish: "tool_calls" };

function decide(request: Record<string, unknown>, messages: { role?: string; content?: unknown }[]): Answer {
  const tools = Array.isArray(request.tools) ? (request.tools as Tool[]) : [];
  const last = messages[messages.length - 1];
  if (tools.length && request.tool_choice !== "none" && last.role !== "tool") {
    const choice = request.tool_choice as { function?: { name?: string } } | undefined;
    // Whatever a client sent as tools (the product's fuzz tests send odd ones): never a crash.
    const tool = tools.find((t) => t?.function?.name === choice?.function?.name) ?? tools[0];
    const name = typeof tool?.function?.name === "string" ? tool.function.name : "tool";
    const properties = tool?.function?.parameters?.properties;
    const args = Object.fromEntries(Object.entries(typeof properties === "object" && properties !== null ? properties : {}).map(([key, schema]) => [key, sampleValue(schema?.type)]));
    return { kind: "tool", name, arguments: JSON.stringify(args), callId: `call_${name}`, finish: "tool_calls" };
  }
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const said = last.role === "tool" ? `Tool said: ${String(last.content)}` : `Echo: ${typeof lastUser?.content === "string" ? lastUser.content : ""}`;
  const limit = Number(request.max_completion_tokens ?? request.max_tokens ?? Infinity);
  const all = words(said);
  if (all.length <= limit) return { kind: "text", text: said, finish: "stop" };
  return { kind: "text", text: all.slice(0, limit).join(" "), finish: "length" };
}

function sampleValue(type: string | undefined): unknown {
  if (type === "number" || type === "integer") return 1;
  if (type === "boolean") return true;
  if (type === "array") return [];
  if (type === "object") return {};
  return "example";
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (text += chunk));
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, code: string, param: string | null = null): void {
  const type = status === 400 ? "invalid_request_error" : status === 401 ? "authentication_error" : status === 429 ? "rate_limit_error" : "api_error";
  sendJson(res, status, { error: { message, type, param, code } });
}

/**
 * Run as a script: listens on --host (default 127.0.0.1) and --port (default any), requires the
 * key in TEST_PROVIDER_API_KEY if set, and prints `listening <url>`.
 */
async function main(): Promise<void> {
  const arg = (name: string) => {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 ? process.argv[index + 1] : undefined;
  };
  // The key comes from the environment, not the command line, where any `ps` would show it.
  const server = createProviderServer({ apiKey: process.env.TEST_PROVIDER_API_KEY || undefined });
  const host = arg("host") ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(Number(arg("port") ?? 0), host, resolve));
  const { port } = server.address() as AddressInfo;
  console.log(`listening http://${host}:${port}`);
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

if (process.argv[1] && /openai-compatible-server\.ts$/.test(process.argv[1])) void main();
