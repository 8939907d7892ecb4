import type { IncomingHttpHeaders } from "node:http";
import { connect } from "./connect";
import type { Refusal } from "./policy";
import { resolveTarget, type ResolvedTarget } from "./target";

// Every request the server makes to a URL someone configured goes through outboundRequest (the
// answer read whole: alert deliveries) or openOutboundStream (./stream.ts: the answer streamed, provider calls).
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
  const verdict = await resolveTarget(url, signal);
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
