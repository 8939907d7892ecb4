import { describe, expect, it, vi } from "vitest";
import { ConflictError, DatabaseUnavailableError, NotFoundError, ServerBusyError } from "@/lib/errors";
import { errorResponse, toAppError } from "@/lib/http/respond";

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
