// The console's one way to call the admin API from the browser. The session cookie goes along;
// errors come back in the product's error shape and are thrown as ApiError so a mutation can
// show the server's own message (and, on 409, the state it lost to).
import { detailText, errorSentence, NO_LABELS, type FieldLabels } from "./error-text";

export interface ApiErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[] = [],
    /** On 409: the current state the request lost to. */
    readonly current: unknown = undefined,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export async function apiFetch<T>(path: string, init: { method?: "GET" | "POST" | "PATCH" | "DELETE"; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? "GET",
      headers: init.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network", "The server could not be reached. Check your connection; we keep retrying.");
  }
  const text = await response.text();
  const payload = text ? safeParse(text) : undefined;
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string; details?: ApiErrorDetail[]; current?: unknown } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? "http_error", error?.message ?? `The server answered ${response.status}.`, error?.details ?? [], error?.current);
  }
  return payload as T;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The message to show for any error a query or mutation threw, in the words of the form that
 * sent it: `labels` are the form's field labels by API path (lib/query/error-text.ts).
 */
export function errorMessage(error: unknown, labels: FieldLabels = NO_LABELS): string {
  if (error instanceof ApiError) return errorSentence(error, labels);
  return error instanceof Error ? error.message : "Something went wrong.";
}

/** A field's message from a 400, for showing next to that field (its label is already there). */
export function fieldError(error: unknown, path: string, labels: FieldLabels = NO_LABELS): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const detail = error.details.find((d) => d.path === path || d.path.startsWith(`${path}.`));
  return detail && detailText(detail, labels);
}
