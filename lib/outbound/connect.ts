import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { pooledAgent } from "./agents";
import type { ResolvedAddress } from "./resolve";
import type { ResolvedTarget } from "./target";

// The one place an outbound request's socket is made (./request.ts for answers read whole,
// ./stream.ts for streamed ones): to the addresses the policy judged for the target, pinned, so
// the connection never asks DNS again (lib/outbound/request.ts says why).

export interface ConnectRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** Reuse kept-alive connections to the same judged addresses (./agents.ts). Default: a connection per request. */
  keepAlive?: boolean;
}

/**
 * Sends the request to the judged target: `onResponse` once the answer's status arrives, or
 * `onError` (once, and never after `onResponse`) when it fails before that.
 */
export function connect(
  target: ResolvedTarget,
  request: ConnectRequest,
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
