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

export function send(res: ServerResponse, requestId: string, answer: HotResponse): void {
  res.writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...SECURITY_HEADERS,
    "x-request-id": requestId,
    ...answer.headers,
  });
  res.end(answer.status === 304 ? undefined : answer.json);
}

export function sendError(res: ServerResponse, requestId: string, error: unknown, extraHeaders?: Record<string, string>): void {
  const { status, body, headers } = errorPayload(error, requestId);
  send(res, requestId, { status, json: JSON.stringify(body), headers: { ...headers, ...extraHeaders } });
}

/** The JSON body within `maxBytes`: 413 beyond it, 415 unless it is JSON, 400 when malformed. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume(); // drain, so the connection can carry the answer
    throw new PayloadTooLargeError(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      req.resume();
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  const body = parseJsonText(Buffer.concat(chunks).toString("utf8"), req.headers["content-type"]);
  // Every client call needs a body (unlike an admin action such as pause).
  if (body === undefined) throw new ValidationError("The request body is empty; send a JSON object.");
  return body;
}
