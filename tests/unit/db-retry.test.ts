import { describe, expect, it } from "vitest";
import { isRetryableConflict, retryOnConflict } from "@/lib/db/retry";

describe("retryOnConflict", () => {
  it("recognises deadlocks and serialization failures from pg and from Prisma's adapter", () => {
    expect(isRetryableConflict({ code: "40P01" })).toBe(true);
    expect(isRetryableConflict({ code: "40001" })).toBe(true);
    expect(isRetryableConflict({ cause: { originalCode: "40P01" } })).toBe(true);
    expect(isRetryableConflict({ cause: { kind: "TransactionWriteConflict" } })).toBe(true);
    expect(isRetryableConflict({ code: "23505" })).toBe(false);
    expect(isRetryableConflict(new Error("boom"))).toBe(false);
  });

  it("runs the work again after a conflict, up to the limit, and passes other errors through at once", async () => {
    let calls = 0;
    await expect(retryOnConflict(async () => (++calls < 3 ? Promise.reject({ code: "40P01" }) : "done"))).resolves.toBe("done");
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryOnConflict(async () => (++calls, Promise.reject({ code: "40P01" })))).rejects.toEqual({ code: "40P01" });
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryOnConflict(async () => (++calls, Promise.reject(new Error("not a conflict"))))).rejects.toThrow("not a conflict");
    expect(calls).toBe(1);
  });
});
