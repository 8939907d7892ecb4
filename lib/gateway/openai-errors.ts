import { AppError } from "../errors";
import type { HotResponse } from "../hot/http";
import { toAppError } from "../http/respond";
import type { ProviderCallError } from "../providers/provider-call";

// Errors as OpenAI's clients read them, `{ error: { message, type, code, param } }`, so an app's
// official client raises its usual exception classes (by status) with our message. `code` keeps
// the product's closed list (invalid_request, unauthorized, not_found, …) plus the gateway's own.

const TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  409: "invalid_request_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
  429: "rate_limit_error",
};

const typeOf = (status: number) => TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");

/** The answer to a failed gateway call; unknown errors are logged and answered without internals. */
export function openAiError(error: unknown, requestId: string, headers?: Record<string, string>): HotResponse {
  const known = toAppError(error);
  if (!known) console.error(`[${requestId}] unhandled error`, error);
  const status = known?.status ?? 500;
  const body = {
    error: {
      message: known?.message ?? `Something went wrong on our side (request ${requestId}).`,
      type: typeOf(status),
      code: known?.code ?? "internal",
      param: known?.details?.[0]?.path ?? null,
    },
  };
  return { status, json: JSON.stringify(body), headers: { ...known?.headers, ...headers } };
}

/** What an outcome records as `errorType` for a provider failure: `http_429`, `timeout`, … */
export function errorTypeOf(error: ProviderCallError): string {
  return error.kind === "http_status" && error.status !== null ? `http_${error.status}` : error.kind;
}

/**
 * A provider call's failure as the gateway answers it: the provider's own status for an HTTP
 * error (a 429 stays a 429), 504 for a timeout, and 502 naming the connection when the connection
 * itself is broken — unreachable, refused by the outbound policy, its key unreadable, or its key
 * refused by the provider (a 401 passed on would tell the app its own key was wrong).
 */
export function providerFailure(error: ProviderCallError, provider: string): AppError {
  const who = `The provider connection "${provider}"`;
  const fix = "an admin can fix it under Settings → Provider connections";
  switch (error.kind) {
    case "http_status":
      if (error.status === 401 || error.status === 403) {
        return new AppError(502, "provider_rejected", `${who} was refused by its endpoint (${error.message}): its API key is wrong or lacks access; ${fix}.`);
      }
      return new AppError(error.status !== null && error.status >= 400 && error.status <= 599 ? error.status : 502, "upstream_error", `${who} failed: ${error.message}`);
    case "timeout":
      return new AppError(504, "timeout", `${who} did not answer in time: ${error.message}`);
    case "invalid_response":
      return new AppError(502, "upstream_error", `${who} failed: ${error.message}`);
    case "key_unreadable":
      return new AppError(502, "provider_unavailable", `${error.message} (${fix})`);
    default:
      return new AppError(502, "provider_unavailable", `${who} cannot be called: ${error.message} (${fix}).`);
  }
}
