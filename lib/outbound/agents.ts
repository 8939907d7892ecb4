import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { ResolvedTarget } from "./target";

// Kept-alive connections for callers that send many requests to one endpoint (the gateway's
// provider calls): a new TCP and TLS handshake per call would add tens of milliseconds to every
// answer. A pool belongs to one origin AND the addresses the policy judged for it: its sockets
// only ever connect to those addresses (the request pins them), so reusing one never reaches an
// address the policy has not allowed. When a name resolves to other addresses, requests use
// another pool; the old one's idle sockets close after FREE_SOCKET_MS.

/** How long an idle socket stays open: under the 5 s keep-alive of Node servers and common proxies. */
const FREE_SOCKET_MS = 4_000;
/** Pools kept at most; the oldest is forgotten (not destroyed: its requests in flight finish). */
const MAX_POOLS = 256;

const pools = new Map<string, HttpAgent>();
/** The key last moved to the end of `pools`. */
let lastKey: string | undefined;

/** The pool for requests to this judged target. */
export function pooledAgent(target: ResolvedTarget): HttpAgent {
  const { url, hostname, addresses } = target;
  const key = `${url.protocol}//${hostname}:${url.port}|${addresses?.map((a) => a.address).join(",") ?? ""}`;
  let agent = pools.get(key);
  if (agent) {
    // Most recently used last, so the oldest is first when the map is full. Not moved when it is
    // last already (one endpoint, most of the time): each move adds an entry to the map's table, and
    // a table rebuilt every few dozen calls keeps their keys alive until a full collection
    // (lib/gateway/in-flight.ts says how).
    if (key !== lastKey) {
      pools.delete(key);
      pools.set(key, agent);
      lastKey = key;
    }
    return agent;
  }
  const options = { keepAlive: true, timeout: FREE_SOCKET_MS, scheduling: "lifo" as const };
  agent = url.protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options);
  pools.set(key, agent);
  lastKey = key;
  if (pools.size > MAX_POOLS) pools.delete(pools.keys().next().value!);
  return agent;
}
