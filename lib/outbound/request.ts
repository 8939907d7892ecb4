import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { pooledAgent } from "./agents";
import type { Refusal } from "./policy";
import type { ResolvedAddress } from "./resolve";
import { fixedVerdict, resolveTarget, type ResolvedTarget, type TargetVerdict } from "./target";

// Every request the server makes to a URL someone configured goes through outboundRequest (the
// answer read whole: alert deliveries) or openOutboundStream (the answer streamed: provider calls).
//
// - The policy (lib/outbound/policy.ts) is applied to the addresses the connection uses: a name is
//   resolved once, judged, and the socket connects to exactly those addresses (a pinned `lookup`),
//   so a name that answers a public address to the check and 127.0.0.1 to the connect (DNS
//   rebinding) gets nowhere.
// - Redirects are not followed here: a 3xx comes back as a response like any other status, and the
//   caller decides. Webhooks do not redirect; provider calls follow them through ./redirects.ts,
//   which sends each hop through here again, so every hop is judged like the first.
// - Failures are one of three fixed classes, never the socket's message: a refused port, a reset,
//   an unknown name, a TLS failure and a non-HTTP answer are all `connection_failed`, so the
//   outcome says no more about the target than "it did not answer HTTP" or "it was too slow".
//   Non-public addresses are refused before any packet is sent.

export const OUTBOUND_FAILURES = ["refused_by_policy", "timeout", "connection_failed"] as const;
export type OutboundFailure = (typeof OUTBOUND_FAILURES)[number];

export class OutboundError extends Error {
  constructor(
    readonly failure: OutboundFailure,
    /** Why the policy refused (for `refused_by_policy`); for the caller, never sent anywhere. */
    readonly refusal: Refusal | null = null,
    /** The origin of the redirect that was refused, when a hop after the first was. */
    readonly redirectedTo: string | null = null,
  ) {
    super(refusal ? `refused_by_policy: ${redirectedTo ? `the redirect to ${redirectedTo}` : "the URL"} ${refusal.message}` : failure);
    this.name = "OutboundError";
  }
}

export interface OutboundRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  headers?: Record<string, string>;
  body?: string;
  /** For the whole request: resolution, connection, sending, and the answer up to its cap. */
  timeoutMs: number;
  /** The answer's body is cut here (64 KiB unless said). */
  maxResponseBytes?: number;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first maxResponseBytes of the body. */
  body: Buffer;
}

/** Sends one request the policy allows, or throws an OutboundError (and nothing else). */
export async function outboundRequest(url: string, request: OutboundRequest): Promise<OutboundResponse> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  const verdict = fixedVerdict(url) ?? (await resolveTarget(url, signal));
  if (verdict.kind === "refused") throw new OutboundError("refused_by_policy", verdict.refusal);
  if (verdict.kind === "unresolved") throw new OutboundError(signal.aborted ? "timeout" : "connection_failed");
  return send(verdict.target, request, signal);
}

function send(target: ResolvedTarget, request: OutboundRequest, signal: AbortSignal): Promise<OutboundResponse> {
  const max = request.maxResponseBytes ?? 65_536;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new OutboundError("timeout"));
    const req = connect(
      target,
      request,
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let settled = false;
        // The status is known: whatever happens to the body now, that is the answer.
        const done = () => {
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          res.destroy();
        };
        res.on("data", (chunk: Buffer) => {
          if (size < max) chunks.push(chunk.subarray(0, max - size));
          size += chunk.length;
          if (size >= max) done();
        });
        res.on("end", done);
        res.on("close", done);
        res.on("error", done);
      },
      () => reject(new OutboundError(signal.aborted ? "timeout" : "connection_failed")),
    );
    // The signal ends the request, and its answer if it has one, at any time. (One listener,
    // rather than the request's own `signal` option, which adds half a dozen per request.)
    const onAbort = () => req.destroy();
    signal.addEventListener("abort", onAbort, { once: true });
    req.once("close", () => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Sends the request to the judged target: `onResponse` once the answer's status arrives, or
 * `onError` (once, and never after `onResponse`) when it fails before that.
 */
function connect(
  target: ResolvedTarget,
  request: Pick<OutboundRequest, "method" | "headers" | "body"> & { keepAlive?: boolean },
  onResponse: (res: IncomingMessage) => void,
  onError: () => void,
): ClientRequest {
  const { url, hostname, addresses } = target;
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers = body ? { ...request.headers, "content-length": String(body.length) } : request.headers;
  const options: RequestOptions = {
    method: request.method,
    hostname,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    headers,
    auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
    // Each request connects to the addresses judged for it: on a socket of its own, or from the
    // pool of sockets connected to exactly those addresses (./agents.ts).
    agent: request.keepAlive ? pooledAgent(target) : false,
    lookup: addresses ? pinnedLookup(addresses) : undefined,
  };
  const requestFn = url.protocol === "https:" ? httpsRequest : httpRequest;
  let answered = false;
  let failed = false;
  const req = requestFn(options, (res) => {
    answered = true;
    onResponse(res);
  });
  const fail = () => {
    if (answered || failed) return;
    failed = true;
    onError();
  };
  req.on("error", fail);
  // A request destroyed before its answer may close without an error event.
  req.once("close", fail);
  req.end(body);
  return req;
}

export interface OutboundStreamRequest extends Omit<OutboundRequest, "maxResponseBytes"> {
  /** Until the answer's status and headers arrive: resolution, connection and sending. */
  timeoutMs: number;
  /** The longest silence allowed while the body streams in. */
  idleTimeoutMs: number;
  /** The caller giving up: the request ends and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Reuse kept-alive connections to the same judged addresses (./agents.ts). Default: a connection per request. */
  keepAlive?: boolean;
}

export interface OutboundStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered: the one asked, or the last redirect's (./redirects.ts). */
  url: string;
  /** The body as it arrives; iterating throws an OutboundError when it stalls or breaks off. */
  body: AsyncIterable<Buffer>;
  /**
   * The body handed to `sink` chunk by chunk as it arrives, without a promise per chunk (the
   * gateway's relay): `data` returning false pauses it until `resume()`; `end` comes once, with
   * the error iterating `body` would throw, or none. Use either this or `body`, not both.
   */
  consume(sink: BodySink): { resume(): void };
  /** Stops reading and closes the connection. */
  close(): void;
}

export interface BodySink {
  data(chunk: Buffer): boolean | void;
  end(error?: unknown): void;
}

/**
 * Like outboundRequest, but answers as soon as the status arrives and streams the body (server-sent
 * events, large answers), with the same policy, pinned addresses and failure classes; `done` is
 * called once, with the stream, or with an OutboundError or the caller's abort reason. Callbacks,
 * not a promise, and no abort controller of its own: it is the gateway's hot path, where every
 * object a call allocates is paid for in GC pauses. Callers follow redirects through ./redirects.ts.
 */
export function openOutboundStream(url: string, request: OutboundStreamRequest, done: (error: unknown, stream?: OutboundStream) => void): void {
  const caller = request.signal;
  if (caller?.aborted) return done(caller.reason);
  let req: ClientRequest | undefined;
  let res: IncomingMessage | undefined;
  const fixed = fixedVerdict(url);
  /** Only for a name to resolve: most calls go to a URL whose verdict is fixed. */
  const resolving = fixed ? undefined : new AbortController();
  let timedOut = false;
  let settled = false;
  const failure = () => (caller?.aborted ? caller.reason : new OutboundError(timedOut ? "timeout" : "connection_failed"));
  // The caller's abort and the timer end whatever stage the call is at; `req` and `resolving`
  // report back through their own failure paths.
  const stop = () => {
    if (res) res.destroy();
    else if (req) req.destroy();
    else if (resolving) resolving.abort();
  };
  const settle = (error: unknown, stream?: OutboundStream) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (error !== undefined) caller?.removeEventListener("abort", stop);
    done(error, stream);
  };
  caller?.addEventListener("abort", stop, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, request.timeoutMs);

  const start = (verdict: TargetVerdict) => {
    if (settled) return;
    if (verdict.kind === "refused") return settle(new OutboundError("refused_by_policy", verdict.refusal));
    if (verdict.kind === "unresolved" || caller?.aborted || timedOut) return settle(failure());
    req = connect(
      verdict.target,
      request,
      (answer) => {
        res = answer;
        const socket = answer.socket;
        const onIdle = () => {
          timedOut = true;
          answer.destroy();
        };
        socket?.setTimeout(request.idleTimeoutMs, onIdle);
        answer.once("close", () => {
          caller?.removeEventListener("abort", stop);
          // A kept-alive socket outlives this answer: it must not carry this answer's idle timer.
          socket?.removeListener("timeout", onIdle);
        });
        settle(undefined, new ArrivingAnswer(answer, url, failure));
      },
      () => settle(failure()),
    );
  };
  if (fixed) return start(fixed);
  resolveTarget(url, resolving!.signal).then(start, () => settle(failure()));
}

/**
 * An answer as it arrives. A class, not an object literal with a getter closing over the call:
 * with the literal, whatever the call reached survived young-generation GCs until a full one
 * (measured on the gateway with --trace-gc-nvp: 2.4 MB surviving each scavenge instead of 0.7,
 * pauses of 12-18 ms instead of 3-5; V8 apparently keeps each literal's accessor somewhere old).
 */
class ArrivingAnswer implements OutboundStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;

  constructor(
    private readonly res: IncomingMessage,
    readonly url: string,
    private readonly failure: () => unknown,
  ) {
    this.status = res.statusCode ?? 0;
    this.headers = res.headers;
  }

  get body(): AsyncIterable<Buffer> {
    return readBody(this.res, this.failure);
  }

  consume(sink: BodySink): { resume(): void } {
    return consumeBody(this.res, this.failure, sink);
  }

  close(): void {
    this.res.destroy();
  }
}

async function* readBody(res: IncomingMessage, failure: () => unknown): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk as Buffer;
  } catch {
    throw failure();
  }
  // A body cut short (the socket destroyed by the idle timeout or an abort) ends without an error.
  if (!res.complete) throw failure();
}

function consumeBody(res: IncomingMessage, failure: () => unknown, sink: BodySink): { resume(): void } {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    // As in readBody: a body cut short (idle timeout, abort, reset) is a failure.
    sink.end(res.complete ? undefined : failure());
  };
  res.on("data", (chunk: Buffer) => {
    if (sink.data(chunk) === false) res.pause();
  });
  res.once("end", end);
  res.once("error", end);
  res.once("close", end);
  return { resume: () => res.resume() };
}

/** A `lookup` for net.connect that answers with the addresses judged already, never asking DNS. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  type Options = { all?: boolean; family?: number | string };
  return ((_hostname: string, options: Options, callback: (...args: unknown[]) => void) => {
    if (options.all) {
      callback(null, addresses.map(({ address, family }) => ({ address, family })));
      return;
    }
    const family = String(options.family ?? "");
    const wanted = family === "6" || family === "IPv6" ? 6 : family === "4" || family === "IPv4" ? 4 : 0;
    const pick = addresses.find((a) => a.family === wanted) ?? addresses[0];
    callback(null, pick.address, pick.family);
  }) as LookupFunction;
}
