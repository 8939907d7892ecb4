import { expect, vi } from "vitest";
import type { z } from "zod";
import type { Endpoint } from "../../lib/openapi/endpoints";
import { changedTables, type DbState } from "./db-state";
import type { RenderedBody } from "./hostile-body";

// The oracle and the checks the fuzz tests share: what answer a hostile input must get, judged by
// the same zod schema the endpoint is documented with (lib/openapi/endpoints.ts), and whether the
// answer has the product's error shape.

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** An endpoint as the fuzz tests key their samples and seeds: `post /api/admin/configs`. */
export const endpointLabel = (e: Endpoint) => `${e.method} ${e.path}`;

/** For an endpoint without a hand-written sample: its schema's top-level keys, each a string. */
export function sampleFromShape(schema: unknown): Record<string, string> {
  return Object.fromEntries(Object.keys((schema as { shape?: object }).shape ?? {}).map((k) => [k, "x"]));
}

/**
 * What the answer must be. `status`: an exact status, "4xx", or "not-5xx" when the input is valid
 * by the schema (it may still be refused for a reason the schema cannot see: 404, 409, …).
 * `issuePaths`: the fields the schema names, for a 400 that must name one of them.
 */
export interface Expectation {
  status: number | "4xx" | "not-5xx";
  why: string;
  issuePaths?: string[];
}

function schemaVerdict(schema: z.ZodType, value: unknown): Expectation {
  let result;
  try {
    result = schema.safeParse(value);
  } catch (error) {
    // The schema itself gave up (e.g. a stack overflow on deep nesting): the product, which
    // parses with the same schema, has to refuse the input rather than fall over.
    return { status: "4xx", why: `the schema throws ${(error as Error).name} on it` };
  }
  if (result.success) return { status: "not-5xx", why: "valid by the schema" };
  const issuePaths = result.error.issues.map((i) => i.path.map(String).join(".") || "(root)");
  return { status: 400, why: `invalid by the schema (${issuePaths.slice(0, 3).join(", ")})`, issuePaths };
}

export interface BodyRules {
  /** Bytes the endpoint reads at most. */
  limit: number;
  /** The client API refuses a blank body; admin routes read it as no body. */
  blank: "refused" | "no-body";
  /** The service reads a missing body as {} (rollout actions: pause needs none). */
  missingBodyIsEmpty?: boolean;
}

/** The answer a rendered body must get from an endpoint whose body schema is `schema`. */
export function expectForBody(schema: z.ZodType | undefined, body: RenderedBody, rules: BodyRules): Expectation {
  if (Buffer.byteLength(body.text) > rules.limit) return { status: 413, why: `larger than ${rules.limit} bytes` };
  let value: unknown;
  if (body.text.trim() === "") {
    if (rules.blank === "refused") return { status: 400, why: "blank body" };
    value = rules.missingBodyIsEmpty ? {} : undefined;
  } else {
    if (!/^application\/json\b/i.test(body.contentType ?? "")) return { status: 415, why: `Content-Type ${String(body.contentType)}` };
    try {
      value = JSON.parse(body.text);
    } catch {
      return { status: 400, why: "not JSON" };
    }
  }
  if (!schema) return { status: "not-5xx", why: "the endpoint takes no body and ignores one" };
  return schemaVerdict(schema, value);
}

/**
 * The answer a query string must get, parsed the way the handlers do (Object.fromEntries: last
 * value wins), then read as the endpoint reads it (`toInput`, e.g. deepObject parameters gathered).
 */
export function expectForQuery(
  schema: z.ZodType,
  query: URLSearchParams,
  toInput: (query: Record<string, string>) => unknown = (q) => q,
): Expectation {
  return schemaVerdict(schema, toInput(Object.fromEntries(query)));
}

/**
 * Status, error shape and message: the properties every answer to a hostile input must have.
 * `shape`: the product's error shape, or OpenAI's (the gateway, /v1/...), whose streamed answers
 * are server-sent events rather than JSON.
 */
export function checkAnswer(answer: Answer, expected: Expectation, what: string, sent = "", shape: "product" | "openai" = "product"): void {
  const excerpt = `${what} → ${answer.status} ${answer.text.slice(0, 400)}`;
  expect(answer.status, `never a 5xx: ${excerpt}`).toBeLessThan(500);
  if (typeof expected.status === "number") expect(answer.status, `expected ${expected.status} (${expected.why}): ${excerpt}`).toBe(expected.status);
  if (expected.status === "4xx") expect(answer.status >= 400 && answer.status < 500, `expected a 4xx (${expected.why}): ${excerpt}`).toBe(true);

  if (answer.status === 304) return;
  if (shape === "openai" && answer.status === 200 && /^text\/event-stream/.test(answer.headers.get("content-type") ?? "")) {
    expect(answer.text.trimEnd(), `a stream ends with [DONE]: ${excerpt}`).toMatch(/data: \[DONE\]$/);
    return;
  }
  expect(answer.headers.get("content-type") ?? "", `JSON answer: ${excerpt}`).toMatch(/^application\/json/);
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new Error(`the answer is not JSON: ${excerpt}`);
  }
  if (answer.status < 400) return;
  if (shape === "openai") return checkOpenAiError(answer, body, expected, excerpt, sent);

  const error = (body as { error?: Record<string, unknown> }).error;
  expect(error, `error shape { error: { code, message, requestId } }: ${excerpt}`).toBeTypeOf("object");
  const { code, message, requestId, details } = error as { code: unknown; message: unknown; requestId: unknown; details?: unknown };
  expect(code, `error.code: ${excerpt}`).toMatch(/^[a-z_]+$/);
  expect(typeof message === "string" && message.trim().length > 0, `a non-empty error.message: ${excerpt}`).toBe(true);
  expect(message as string, `a message for a person: ${excerpt}`).not.toMatch(/\[object \w+\]|must be (an? \w+), not \1\b/);
  // "undefined" in a message is a leaked JavaScript value, unless the input said it.
  if (!sent.includes("undefined")) expect(message as string, `no leaked undefined: ${excerpt}`).not.toMatch(/\bundefined\b/);
  expect(requestId, `error.requestId: ${excerpt}`).toMatch(/^req_/);
  expect(answer.headers.get("x-request-id"), `X-Request-Id equals error.requestId: ${excerpt}`).toBe(requestId);
  if (details !== undefined) {
    expect(Array.isArray(details) && details.length > 0, `details is a non-empty list: ${excerpt}`).toBe(true);
    for (const d of details as { path?: unknown; message?: unknown }[]) {
      expect(typeof d.path === "string" && d.path.length > 0, `each detail has a path: ${excerpt}`).toBe(true);
      expect(typeof d.message === "string" && d.message.trim().length > 0, `each detail has a message: ${excerpt}`).toBe(true);
    }
  }
  if (expected.issuePaths && answer.status === 400) {
    const paths = ((details ?? []) as { path: string }[]).map((d) => d.path);
    expect(paths.some((p) => expected.issuePaths!.includes(p)), `details name a field the schema refuses (${expected.issuePaths.slice(0, 5).join(", ")}): ${excerpt}`).toBe(true);
    const first = paths[0];
    const subject = first === "(root)" ? /^The (request body|query) / : `The \`${first}\` field `;
    expect(message as string, `the message names the first field: ${excerpt}`).toEqual(expect.stringMatching(typeof subject === "string" ? new RegExp(`^${escapeRegExp(subject)}`) : subject));
  }
}

/** OpenAI's `{ error: { message, type, code, param } }`, with the same demands on the message as the product's shape. */
function checkOpenAiError(answer: Answer, body: unknown, expected: Expectation, excerpt: string, sent: string): void {
  const error = (body as { error?: Record<string, unknown> }).error;
  expect(error, `error shape { error: { message, type, code, param } }: ${excerpt}`).toBeTypeOf("object");
  const { message, type, code, param } = error as Record<string, unknown>;
  expect(Object.keys(error!).sort(), `exactly OpenAI's four fields: ${excerpt}`).toEqual(["code", "message", "param", "type"]);
  expect(type, `error.type: ${excerpt}`).toMatch(/^[a-z_]+_error$/);
  expect(code, `error.code: ${excerpt}`).toMatch(/^[a-z_]+$/);
  expect(param === null || (typeof param === "string" && param.length > 0), `error.param null or a field: ${excerpt}`).toBe(true);
  expect(typeof message === "string" && message.trim().length > 0, `a non-empty error.message: ${excerpt}`).toBe(true);
  expect(message as string, `a message for a person: ${excerpt}`).not.toMatch(/\[object \w+\]|must be (an? \w+), not \1\b/);
  if (!sent.includes("undefined")) expect(message as string, `no leaked undefined: ${excerpt}`).not.toMatch(/\bundefined\b/);
  expect(answer.headers.get("x-request-id"), `X-Request-Id: ${excerpt}`).toMatch(/^req_/);
  if (expected.issuePaths && answer.status === 400) {
    expect(param, `param names the field at fault: ${excerpt}`).toBeTypeOf("string");
    expect(expected.issuePaths.includes(param as string), `param names a field the schema refuses (${expected.issuePaths.slice(0, 5).join(", ")}): ${excerpt}`).toBe(true);
    const subject = param === "(root)" ? /^The (request body|query) / : new RegExp(`^${escapeRegExp(`The \`${param as string}\` field `)}`);
    expect(message as string, `the message names the first field: ${excerpt}`).toEqual(expect.stringMatching(subject));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A refused input (and any GET) changed no table; an accepted one was valid by the schema, and
 * `checkAccepted` judges what it changed (e.g. "audited", "only outcomes and rollups").
 */
export function checkDatabase(before: DbState, after: DbState, answer: { status: number; expected: Expectation; isGet: boolean }, what: string, checkAccepted: (changes: string[]) => void): void {
  const changes = changedTables(before, after);
  if (answer.isGet || answer.status >= 400) {
    expect(changes, `nothing changed after ${answer.status}: ${what}`).toEqual([]);
    return;
  }
  expect(answer.expected.status, `a 2xx only for input valid by the schema (${answer.expected.why}): ${what}`).toBe("not-5xx");
  checkAccepted(changes);
}

/** Nothing a request did reached Object.prototype (the admin handlers run in this process). */
export function checkNoPrototypePollution(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).filter((k) => ["polluted", "prototype"].includes(k))).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** A fixed seed (FUZZ_SEED overrides it) so a failure replays; each endpoint gets its own stream. */
export function fuzzSeed(label: string): number {
  const base = Number(process.env.FUZZ_SEED ?? 20_261_126);
  let h = base | 0;
  for (const ch of label) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

/** Runs per endpoint: FUZZ_RUNS overrides the default. */
export function fuzzRuns(fallback: number): number {
  return Number(process.env.FUZZ_RUNS ?? fallback);
}

/**
 * The product logs each 500 as `[req_…] unhandled error <error>` (lib/http/respond.ts). Keeps
 * those instead of printing them, so a failure can name the cause of the 500 it reports;
 * everything else logged goes through.
 */
export function captureServerErrors(): { causeOf(answer: Answer): string; restore(): void } {
  const causes = new Map<string, string>();
  const print = console.error.bind(console);
  const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    const logged = typeof args[0] === "string" ? /^\[(req_[\w-]+)\] unhandled error/.exec(args[0]) : null;
    if (!logged) return print(...args);
    const error = args[1] as Error | undefined;
    const lines = String(error?.message ?? error).split("\n").filter((l) => l.trim() && !/^\s*(\d+ |→)/.test(l));
    causes.set(logged[1], `${error?.name ?? "Error"}: ${lines[lines.length - 1]?.trim() ?? ""}`.slice(0, 200));
  });
  return {
    causeOf: (answer) => {
      if (answer.status < 500) return "";
      // The product's shape names the request in `requestId`; OpenAI's (the gateway) in its message.
      const requestId = /"requestId":"(req_[\w-]+)"|\(request (req_[\w-]+)\)/.exec(answer.text)?.slice(1).find(Boolean);
      return ` [server: ${(requestId && causes.get(requestId)) ?? "no logged cause"}]`;
    },
    restore: () => spy.mockRestore(),
  };
}
