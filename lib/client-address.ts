import type { IncomingMessage } from "node:http";

/** Set by the custom server on every request it hands to Next; any value a client sent is replaced. */
export const CLIENT_IP_HEADER = "x-llm-canary-client-ip";

/**
 * The client's address: the connection's, or behind a trusted proxy the address that proxy saw
 * — the last X-Forwarded-For hop, the one the proxy appended. Earlier hops are whatever the client
 * sent in its own X-Forwarded-For header, so counting them would let it pick its address.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const hops = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",");
    const last = hops.at(-1)?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? "unknown";
}
