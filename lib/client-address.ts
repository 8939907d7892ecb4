import type { IncomingMessage } from "node:http";

/** Set by the custom server on every request it hands to Next; any value a client sent is replaced. */
export const CLIENT_IP_HEADER = "x-llm-canary-client-ip";

/** The client's address: the connection's, or behind a trusted proxy the first X-Forwarded-For hop. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}
