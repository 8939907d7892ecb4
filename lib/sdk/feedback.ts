import { CanaryError, errorFrom, retryDelayMs, type RetryPolicy, type Transport } from "./transport";

// POST /api/feedback: a late rating, retried like an outcome batch when the server cannot be
// reached or asks to come back later.

/** POST /api/feedback's answer. */
export interface FeedbackResult {
  requestId: string;
  config: string;
  rating: number;
  /** The rating this one replaced, if any. */
  replaced: number | null;
}

export interface FeedbackInput {
  requestId: string;
  rating: number;
  comment?: string;
  config?: string;
}

/**
 * Sends the rating, retrying network errors, timeouts, 408, 429 and 5xx on the batches' schedule
 * (`retry`: jittered, doubling pauses, never shorter than Retry-After). Any other answer (404:
 * no such outcome; 400), or the last attempt's failure, is thrown.
 */
export async function sendFeedback(transport: Transport, body: FeedbackInput, retry: RetryPolicy): Promise<FeedbackResult> {
  for (let attempt = 1; ; attempt++) {
    let error: CanaryError;
    try {
      const answer = await transport.request("POST", "/api/feedback", { body });
      if (answer.status >= 200 && answer.status < 300) return answer.body as FeedbackResult;
      error = errorFrom(answer);
    } catch (caught) {
      error = caught instanceof CanaryError ? caught : new CanaryError("network_error", String(caught), { cause: caught });
    }
    if (!error.unavailable || attempt >= retry.maxAttempts) throw error;
    // A ref'd timer: the caller is waiting for this answer.
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt, error.retryAfterMs, retry)));
  }
}
