// Deadlocks (40P01) and serialization failures (40001) abort a transaction that did nothing
// wrong; running it again is the documented remedy. Both driver shapes are recognised: pg's
// `code`, and Prisma's driver-adapter error with the code (or its kind) under `cause`.

const RETRYABLE = new Set(["40P01", "40001"]);

export function isRetryableConflict(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; cause?: { originalCode?: unknown; kind?: unknown } };
  return RETRYABLE.has(String(e.code)) || RETRYABLE.has(String(e.cause?.originalCode)) || e.cause?.kind === "TransactionWriteConflict";
}

/** Runs `work` (a whole transaction or one atomic statement) up to `attempts` times while it loses to a conflict. */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
    }
  }
}
