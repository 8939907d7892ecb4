import type { IncomingMessage, ServerResponse } from "node:http";
import { PayloadTooLargeError, ValidationError } from "../errors";
import { parseJsonText } from "../http/json-body";
import { errorPayload } from "../http/respond";
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS } from "../security-headers";

// Plain node:http helpers for the hot path: the same body rules and error shape as the Next
// handlers (lib/http/route.ts), without the framework's per-request cost.

export interface HotResponse {
  status: number;
  /** Already serialized JSON. */
  json: string;
  headers?: Record<string, string>;
}

/** The same security headers as the admin API's answers (lib/security-headers.ts). */
const SECURITY_HEADERS = { ...COMMON_SECURITY_HEADERS, "Content-Security-Policy": API_CONTENT_SECURITY_POLICY };

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...SECURITY_HEADERS };

/**
 * Header groups as the flat `[name, value, …]` list `writeHead` takes, a later group's header
 * replacing an earlier one of the same name, as in an object spread from them all. A list rather
 * than that object: V8 turns an object that is given more than a dozen properties into a
 * dictionary, and such an object per answer outlived young-generation collections (bench:gateway,
 * streamed answers, 13 headers: 0.41 MB promoted per scavenge in one object, 0.12 MB as a list;
 * --trace-gc-nvp). The hot path's answers carry 12-15 headers.
 */
export function headerList(...groups: (Readonly<Record<string, string>> | undefined)[]): string[] {
  const list: string[] = [];
  for (const group of groups) {
    for (const name in group) {
      let at = 0;
      while (at < list.length && list[at] !== name) at += 2;
      list[at] = name;
      list[at + 1] = group[name];
    }
  }
  return list;
}

/** `extraHeaders` (CORS) come last, so they may add to or replace the answer's own. */
export function send(res: ServerResponse, requestId: string, answer: HotResponse, extraHeaders?: Record<string, string>): void {
  const headers = headerList(JSON_HEADERS, { "x-request-id": requestId }, answer.headers, extraHeaders);
  if (answer.status === 304) return void res.writeHead(304, headers).end();
  // Sized up front: without a length Node sends the answer chunked (a size line, the body, an end
  // marker), which cost a bare node:http server 10-15 % more CPU per 2.4 KB answer (measured).
  headers.push("content-length", String(Buffer.byteLength(answer.json)));
  res.writeHead(answer.status, headers).end(answer.json);
}

export function sendError(res: ServerResponse, requestId: string, error: unknown, extraHeaders?: Record<string, string>): void {
  const { status, body, headers } = errorPayload(error, requestId);
  send(res, requestId, { status, json: JSON.stringify(body), headers }, extraHeaders);
}

/**
 * The JSON body within `maxBytes`, handed to `done`: 413 beyond it, 415 unless it is JSON, 400 when
 * malformed or empty. With a callback, not a promise: POST /api/route answers without one (see
 * client-api.ts), because every promise is an allocation per request (and cost an async hook while
 * Next shared this thread's isolate; it has its own thread now: lib/server/console.ts).
 */
export function readJsonBodyThen(req: IncomingMessage, maxBytes: number, done: (error: unknown, body?: unknown) => void): void {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume(); // drain, so the connection can carry the answer
    return done(new PayloadTooLargeError(maxBytes));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: unknown, body?: unknown) => {
    if (finished) return;
    finished = true;
    done(error, body);
  };
  req.on("data", (chunk: Buffer) => {
    if (finished) return; // past the limit: drained, not kept
    size += chunk.length;
    if (size > maxBytes) return finish(new PayloadTooLargeError(maxBytes));
    chunks.push(chunk);
  });
  req.on("error", (error) => finish(error));
  req.on("end", () => {
    let body: unknown;
    try {
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      body = parseJsonText(bytes.toString("utf8"), req.headers["content-type"]);
      // Every client call needs a body (unlike an admin action such as pause).
      if (body === undefined) throw new ValidationError("The request body is empty; send a JSON object.");
    } catch (error) {
      return finish(error);
    }
    finish(null, body);
  });
}

/** readJsonBodyThen as a promise, for the handlers that await a database anyway. */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => readJsonBodyThen(req, maxBytes, (error, body) => (error ? reject(error) : resolve(body))));
}
