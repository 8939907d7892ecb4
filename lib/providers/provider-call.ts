import type { CancelSignal } from "../outbound/cancel";
import { openStreamFollowing } from "../outbound/redirects";
import { OutboundError } from "../outbound/request";
import type { OutboundStream } from "../outbound/stream";
import type { ProviderFailure } from "./schemas";

// One HTTP call to an OpenAI-compatible endpoint, through the outbound policy (every redirect hop
// judged again), with the connection's key as `Authorization: Bearer` and its extra headers. A
// failure is a ProviderCallError whose message is safe to show: the endpoint's own words appear
// only from an OpenAI-shaped error body, cut short, with the key and every header value blotted out.

export interface Connection {
  baseUrl: string;
  apiKey: string;
  headers: Record<string, string>;
}

export interface CallOptions {
  /** Until the answer's status arrives. Default 30 s. */
  timeoutMs?: number;
  /** The longest silence while the answer streams in. Default 60 s. */
  idleTimeoutMs?: number;
  signal?: CancelSignal;
  /** Reuse kept-alive connections (the gateway's calls): no handshake per call. */
  keepAlive?: boolean;
}

export class ProviderCallError extends Error {
  constructor(
    readonly kind: ProviderFailure,
    message: string,
    /** The HTTP status the endpoint answered, when it answered. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = "ProviderCallError";
  }

  toJSON() {
    return { kind: this.kind, status: this.status, message: this.message };
  }
}

const MAX_ERROR_BODY = 16_384;
const MAX_PROVIDER_WORDS = 300;

export interface ProviderRequest {
  method: "GET" | "POST";
  body?: unknown;
  accept?: string;
}

/** Sends one request to `{baseUrl}{path}`; a non-2xx answer becomes a ProviderCallError. */
export function callProvider(connection: Connection, path: string, request: ProviderRequest, options: CallOptions = {}): Promise<OutboundStream> {
  return new Promise((resolve, reject) => callProviderThen(connection, path, request, options, (error, answer) => (error === undefined ? resolve(answer!) : reject(error))));
}

/** callProvider handing its answer to a callback, with no promise (the gateway's hot path). */
export function callProviderThen(
  connection: Connection,
  path: string,
  request: ProviderRequest,
  options: CallOptions,
  done: (error: unknown, answer?: OutboundStream) => void,
): void {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headers: Record<string, string> = {
    ...connection.headers,
    authorization: `Bearer ${connection.apiKey}`,
    accept: request.accept ?? "application/json",
  };
  if (request.body !== undefined) headers["content-type"] = "application/json";
  openStreamFollowing(
    `${connection.baseUrl}${path}`,
    { method: request.method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body), timeoutMs, idleTimeoutMs: options.idleTimeoutMs ?? 60_000, signal: options.signal, keepAlive: options.keepAlive },
    { credentialHeaders: ["authorization", ...Object.keys(connection.headers)] },
    (error, answer) => {
      if (error !== undefined) return done(asCallError(error, timeoutMs));
      if (answer!.status >= 200 && answer!.status < 300) return done(undefined, answer);
      readTextThen(answer!, MAX_ERROR_BODY, (_failure, text) => done(new ProviderCallError("http_status", statusMessage(answer!.status, providerWords(text ?? "", connection)), answer!.status)));
    },
  );
}

/** An OutboundError (or anything else a call throws) as a ProviderCallError; a caller's abort passes through. */
export function asCallError(error: unknown, timeoutMs: number): unknown {
  if (error instanceof ProviderCallError || !(error instanceof OutboundError)) return error;
  switch (error.failure) {
    case "refused_by_policy": {
      const where = error.redirectedTo ? `the endpoint redirected to ${error.redirectedTo}, which` : "the base URL";
      return new ProviderCallError("refused_by_policy", `Refused by the outbound policy: ${where} ${error.refusal?.message ?? "is not allowed"}.`);
    }
    case "timeout":
      return new ProviderCallError("timeout", `No answer within ${Math.round(timeoutMs / 1000)} s (or the answer stalled).`);
    default:
      return new ProviderCallError("connection_failed", "No HTTP answer (unknown host, connection refused or reset, TLS failure).");
  }
}

/** The body as text, cut at `maxBytes` (the connection closed there). */
export function readText(answer: OutboundStream, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => readTextThen(answer, maxBytes, (error, text) => (error === undefined ? resolve(text!) : reject(error))));
}

/** readText handing its result to a callback, with no promise at all (the gateway's hot path). */
export function readTextThen(answer: OutboundStream, maxBytes: number, done: (error: unknown, text?: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let full = false;
  answer.consume({
    data: (chunk) => {
      if (full) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) {
        full = true;
        answer.close();
      }
    },
    end: (error) => {
      if (error !== undefined && !full) return done(error);
      done(undefined, (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).subarray(0, maxBytes).toString("utf8"));
    },
  });
}

function statusMessage(status: number, words: string | null): string {
  return `The endpoint answered HTTP ${status}${words ? `: ${words}` : "."}`;
}

/**
 * The `error.message` of an OpenAI-shaped error body, shortened, with the connection's secrets
 * blotted out (some providers echo the key they were sent); null for any other body, which may be
 * a page of some internal service.
 */
export function providerWords(text: string, connection: Connection): string | null {
  let message: unknown;
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    message = typeof body.error === "object" && body.error !== null ? body.error.message : typeof body.error === "string" ? body.error : body.message;
  } catch {
    return null;
  }
  if (typeof message !== "string" || !message.trim()) return null;
  const scrubbed = scrubSecrets(message.replace(/\s+/g, " ").trim(), connection);
  return scrubbed.length > MAX_PROVIDER_WORDS ? `${scrubbed.slice(0, MAX_PROVIDER_WORDS)}…` : scrubbed;
}

/** The text with the key and every header value (of four characters or more) replaced by `***`. */
export function scrubSecrets(text: string, connection: Connection): string {
  const secrets = [connection.apiKey, ...Object.values(connection.headers)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return secrets.reduce((out, secret) => out.split(secret).join("***"), text);
}
