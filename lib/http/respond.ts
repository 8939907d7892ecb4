import { randomUUID } from "node:crypto";
import { AppError, ConflictError, DatabaseUnavailableError } from "../errors";

export function newRequestId(): string {
  return `req_${randomUUID()}`;
}

export function jsonResponse(status: number, body: unknown, requestId: string, headers?: Record<string, string>): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-request-id": requestId,
      ...headers,
    },
  });
}

/** Maps any thrown value to the product's error shape. Unknown errors never leak internals. */
export function errorResponse(error: unknown, requestId: string): Response {
  const { status, body, headers } = errorPayload(error, requestId);
  return jsonResponse(status, body, requestId, headers);
}

/** Status, body and headers of the error answer: shared by Next handlers and the hot path. */
export function errorPayload(error: unknown, requestId: string): { status: number; body: unknown; headers?: Record<string, string> } {
  const known = toAppError(error);
  if (!known) {
    console.error(`[${requestId}] unhandled error`, error);
    return { status: 500, body: { error: { code: "internal", message: "Something went wrong on our side.", requestId } } };
  }
  return {
    status: known.status,
    body: {
      error: {
        code: known.code,
        message: known.message,
        ...(known.details ? { details: known.details } : {}),
        ...known.extra,
        requestId,
      },
    },
    headers: known.headers,
  };
}

const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "ECONNREFUSED", "ECONNRESET", "57P01", "57P03"]);
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "DatabaseDoesNotExist", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (typeof error !== "object" || error === null) return null;
  const e = error as { code?: unknown; cause?: { kind?: unknown; originalCode?: unknown }; meta?: { target?: unknown } };
  if (e.code === "P2002") return new ConflictError("This already exists (a unique value is taken).");
  if (typeof e.code === "string" && UNREACHABLE_CODES.has(e.code)) return new DatabaseUnavailableError();
  if (typeof e.cause?.kind === "string" && UNREACHABLE_KINDS.has(e.cause.kind)) return new DatabaseUnavailableError();
  if (typeof e.cause?.originalCode === "string" && UNREACHABLE_CODES.has(e.cause.originalCode)) {
    return new DatabaseUnavailableError();
  }
  // node-postgres says these in words only: no free connection in time, or the connection died mid-query.
  if (error instanceof Error && /timeout exceeded when trying to connect|Connection terminated/.test(error.message)) {
    return new DatabaseUnavailableError();
  }
  return null;
}
