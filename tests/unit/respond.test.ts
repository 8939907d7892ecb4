import { describe, expect, it, vi } from "vitest";
import { ConflictError, DatabaseUnavailableError, NotFoundError, ServerBusyError } from "@/lib/errors";
import { errorResponse, ndjsonResponse, toAppError } from "@/lib/http/respond";

describe("error responses", () => {
  it("renders domain errors in the product's error shape with their status", async () => {
    const res = errorResponse(new NotFoundError("No config with key `x`."), "req_1");
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toBe("req_1");
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No config with key `x`.", requestId: "req_1" } });
  });

  it("maps a unique violation to 409 and an unreachable database to 503 with Retry-After", async () => {
    expect(toAppError({ code: "P2002" })).toBeInstanceOf(ConflictError);
    expect(toAppError({ code: "ECONNREFUSED" })).toBeInstanceOf(DatabaseUnavailableError);
    expect(toAppError({ name: "DriverAdapterError", cause: { kind: "DatabaseNotReachable" } })).toBeInstanceOf(
      DatabaseUnavailableError,
    );
    expect(toAppError(new Error("timeout exceeded when trying to connect"))).toBeInstanceOf(DatabaseUnavailableError);
    expect(toAppError(new Error("Connection terminated unexpectedly"))).toBeInstanceOf(DatabaseUnavailableError);
    expect(toAppError(new Error("Connection terminated due to connection timeout"))).toBeInstanceOf(DatabaseUnavailableError);
    for (const code of ["08006", "53300", "57P01", "P2024"]) expect(toAppError({ code })).toBeInstanceOf(DatabaseUnavailableError);
    // Waiting too long for a turn, or a conflict that outlived its retries: busy, not down.
    for (const error of [{ code: "P2028" }, { code: "40P01" }, { code: "40001" }, { cause: { kind: "TransactionWriteConflict" } }]) {
      expect(toAppError(error)).toBeInstanceOf(ServerBusyError);
      expect(toAppError(error)).toMatchObject({ status: 503, headers: { "Retry-After": "1" } });
    }
    expect(toAppError({ code: "23505" })).toBeNull(); // a constraint violation is not the database being away
    const res = errorResponse(new DatabaseUnavailableError(7), "req_2");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("7");
  });

  it("never leaks an unknown error's message", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = errorResponse(new Error("password=hunter2 at /srv/secret"), "req_3");
    spy.mockRestore();
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "Something went wrong on our side.", requestId: "req_3" } });
  });
});

describe("streamed answers", () => {
  /** Events pushed by hand: each read waits until the test releases the next one. */
  function manualEvents() {
    const waiting: ((value: IteratorResult<unknown>) => void)[] = [];
    const events: AsyncIterable<unknown> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<unknown>>((resolve) => waiting.push(resolve)),
        return: async () => ({ done: true, value: undefined }),
      }),
    };
    return { events, release: (value: unknown) => waiting.shift()!({ done: false, value }) };
  }

  it("sends one JSON line per event, unbuffered, and ends a failure with a `failed` line in the error shape", async () => {
    async function* failing() {
      yield { type: "start" };
      throw new NotFoundError("Gone.");
    }
    const res = ndjsonResponse(failing(), () => {}, "req_9");
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    expect((await res.text()).split("\n")).toEqual(['{"type":"start"}', '{"type":"failed","error":{"code":"not_found","message":"Gone.","requestId":"req_9"}}', ""]);
  });

  it("on a hang-up calls onCancel and drops the event a read was still waiting for, without an error", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const onCancel = vi.fn();
    const { events, release } = manualEvents();
    const reader = ndjsonResponse(events, onCancel, "req_10").body!.getReader();
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    const first = reader.read();
    await tick(); // the stream asks for the first event
    release({ type: "start" });
    expect(new TextDecoder().decode((await first).value)).toBe('{"type":"start"}\n');
    await tick(); // the stream asks for the next event
    await reader.cancel();
    expect(onCancel).toHaveBeenCalledOnce();
    release({ type: "delta" }); // arrives after the hang-up
    await tick();
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });
});
