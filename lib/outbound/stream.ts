import type { IncomingHttpHeaders, IncomingMessage, ClientRequest } from "node:http";
import type { CancelSignal } from "./cancel";
import { connect } from "./connect";
import { OutboundError, type OutboundRequest } from "./request";
import { fixedVerdict, resolveTarget, type TargetVerdict } from "./target";

// Outbound requests whose answer streams in (provider calls: server-sent events, large answers),
// under the same policy, pinned addresses and failure classes as ./request.ts.

export interface OutboundStreamRequest extends Omit<OutboundRequest, "maxResponseBytes"> {
  /** Until the answer's status and headers arrive: resolution, connection and sending. */
  timeoutMs: number;
  /** The longest silence allowed while the body streams in. */
  idleTimeoutMs: number;
  /** The caller giving up: the request ends and the call rejects with the signal's reason. */
  signal?: CancelSignal;
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

