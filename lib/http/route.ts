import { getPrisma } from "../db/client";
import type { Db } from "../db/types";
import type { Actor } from "../auth/actor";
import { resolveActor } from "../auth/resolve-actor";
import { hasScope, type Scope } from "../auth/scopes";
import { ForbiddenError, PayloadTooLargeError } from "../errors";
import { parseJsonText } from "./json-body";
import { assertSameOrigin } from "./same-origin";
import { errorResponse, jsonResponse, ndjsonResponse, newRequestId } from "./respond";

// The one wrapper every admin route handler goes through: authenticate (session cookie or
// API key), authorize by scope, read the JSON body within a size limit, call the service,
// and map errors to the product's error shape.

const DEFAULT_MAX_BODY_BYTES = 1_000_000;

type RouteContext = { params: Promise<Record<string, string | string[]>> };

interface HandlerArgs {
  request: Request;
  db: Db;
  actor: Actor;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body (unvalidated: the service validates it). Undefined for GET. */
  body: unknown;
}

interface RouteSpec {
  scope: Scope;
  status?: number;
  maxBodyBytes?: number;
}

/** What a handler returns to answer with events as they come (ndjsonResponse) instead of one JSON document. */
export class StreamedAnswer {
  constructor(
    readonly events: AsyncIterable<unknown>,
    /** Called when the client hangs up before the last event. */
    readonly onCancel: () => void = () => {},
  ) {}
}

/** Whether the client asked for one JSON document (`Accept: application/json`) rather than a stream of events. */
export function wantsWholeAnswer(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  return /\bapplication\/json\b/i.test(accept) && !/\bapplication\/x-ndjson\b/i.test(accept);
}

export function route(spec: RouteSpec, handler: (args: HandlerArgs) => Promise<unknown>) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    const requestId = newRequestId();
    try {
      const db = await getPrisma();
      const actor = await resolveActor(db, request);
      if (actor.type === "user" && request.method !== "GET" && request.method !== "HEAD") assertSameOrigin(request);
      if (!hasScope(actor.scopes, spec.scope)) {
        throw new ForbiddenError(`This needs the \`${spec.scope}\` permission, which ${actor.label} does not have.`);
      }
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await readJson(request, spec.maxBodyBytes);
      const params = flattenParams(await context.params);
      const query = new URL(request.url).searchParams;
      const result = await handler({ request, db, actor, params, query, body });
      if (result instanceof StreamedAnswer) return ndjsonResponse(result.events, result.onCancel, requestId);
      return jsonResponse(spec.status ?? 200, result, requestId);
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}

/** For routes without an actor (health, client API) that still want the error shape. */
export function publicRoute(handler: (args: { request: Request }) => Promise<{ status: number; body: unknown }>) {
  return async (request: Request): Promise<Response> => {
    const requestId = newRequestId();
    try {
      const { status, body } = await handler({ request });
      return jsonResponse(status, body, requestId);
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}

/** The JSON body, or undefined when there is none (e.g. `POST .../pause` without a body). */
async function readJson(request: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  return parseJsonText(await readLimited(request, maxBytes), request.headers.get("content-type"));
}

async function readLimited(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function flattenParams(params: Record<string, string | string[]> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) out[k] = Array.isArray(v) ? v.join("/") : v;
  return out;
}

