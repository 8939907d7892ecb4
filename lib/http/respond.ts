import { randomUUID } from "node:crypto";
import { isRetryableConflict } from "../db/retry";
import { AppError, ConflictError, DatabaseUnavailableError, ServerBusyError } from "../errors";

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

/**
 * An answer sent while it is being made: newline-delimited JSON (application/x-ndjson), one event
 * per line, each flushed as it comes. When the events fail part way, the last line is
 * `{ "type": "failed", "error": { code, message, requestId } }` — the status was sent long before.
 * A client that hangs up cancels the events (`onCancel`).
 */
export function ndjsonResponse(events: AsyncIterable<unknown>, onCancel: () => void, requestId: string): Response {
  const encoder = new TextEncoder();
  const line = (value: unknown) => encoder.encode(`${JSON.stringify(value)}\n`);
  const iterator = events[Symbol.asyncIterator]();
  // Set by a hang-up: a read still waiting for its event then drops it (the stream is closed).
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        if (cancelled) return;
        controller.enqueue(line({ type: "failed", ...(errorPayload(error, requestId).body as object) }));
        controller.close();
        return;
      }
      if (cancelled) return;
      if (next.done) controller.close();
      else controller.enqueue(line(next.value));
    },
    cancel() {
      cancelled = true;
      onCancel();
      void iterator.return?.();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      // no-transform: a compressing layer (Next's own, a proxy) would hold the lines back to fill its buffer.
      "cache-control": "no-store, no-transform",
      "x-accel-buffering": "no",
      "x-request-id": requestId,
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

// Errors that say "the database cannot answer now, try again": connection failures (class 08),
// shutdown (57P01-57P03), too many connections or out of resources (53xxx), and Prisma's own
// connection timeouts. Conflicts that outlived their retries (deadlock, serialization failure)
// and transactions that could not start in time mean "busy", not "down": see isRetryableConflict.
const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "57P01", "57P02", "57P03"]);
const UNREACHABLE_CLASSES = ["08", "53"];
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "DatabaseDoesNotExist", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

function unreachableCode(code: unknown): boolean {
  return typeof code === "string" && (UNREACHABLE_CODES.has(code) || (code.length === 5 && UNREACHABLE_CLASSES.includes(code.slice(0, 2))));
}

export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (typeof error !== "object" || error === null) return null;
  const e = error as { code?: unknown; cause?: { kind?: unknown; originalCode?: unknown }; meta?: { target?: unknown } };
  if (e.code === "P2002") return new ConflictError("This already exists (a unique value is taken).");
  // A transaction that could not start in time: the pool is busy with writers queued on the same rows.
  if (e.code === "P2028" || isRetryableConflict(error)) return new ServerBusyError();
  if (unreachableCode(e.code) || unreachableCode(e.cause?.originalCode)) return new DatabaseUnavailableError();
  if (typeof e.cause?.kind === "string" && UNREACHABLE_KINDS.has(e.cause.kind)) return new DatabaseUnavailableError();
  // node-postgres says these in words only: no free connection in time, the connection died
  // mid-query, or a query or statement timeout.
  if (error instanceof Error && /timeout exceeded when trying to connect|Connection terminated|Query read timeout|statement timeout/.test(error.message)) {
    return new DatabaseUnavailableError();
  }
  return null;
}
