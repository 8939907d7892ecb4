import { readEnv } from "../env";
import { ADDRESS_CLASS_NAMES, classifyIp, inRange, parseIp, parseRange, unmapped } from "./address";
import type { AddressClass, IpRange } from "./address";

// The outbound-request policy: which URLs the server may call. http and https only; a public
// address always, any other address (loopback, private, link-local, unique-local, unspecified,
// multicast, broadcast, reserved) only inside a range LLM_CANARY_ALLOW_PRIVATE_NETWORKS allows.
// Judged on addresses, never on spellings: the URL parser turns every spelling of a host into the
// one it connects to, and names are judged on what they resolve to (lib/outbound/target.ts).

export interface OutboundPolicy {
  /** Non-public addresses that are allowed anyway. Empty: none. */
  allowed: IpRange[];
}

/** What a URL names: an address to judge as it is, or a name to resolve first. */
export type TargetHost = { ip: string } | { name: string };

/** Why the policy refuses a target. `message` ends a sentence that starts "The `url` field ". */
export interface Refusal {
  reason: "scheme" | "invalid" | Exclude<AddressClass, "public">;
  message: string;
}

export function policyFromRanges(ranges: readonly string[]): OutboundPolicy {
  return { allowed: ranges.map((text) => parseRange(text)).filter((r): r is IpRange => r !== null) };
}

let cached: { raw: string | undefined; policy: OutboundPolicy } | null = null;

/**
 * The policy the environment sets, looked up on every call so a test may change it, and parsed
 * again only when the variable's text changed: parsing the whole environment per provider call
 * cost the gateway a tenth of a millisecond each.
 */
export function outboundPolicy(): OutboundPolicy {
  const raw = process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS;
  if (cached === null || cached.raw !== raw) cached = { raw, policy: policyFromRanges(readEnv().LLM_CANARY_ALLOW_PRIVATE_NETWORKS) };
  return cached.policy;
}

const ALLOW_HINT = "an operator can allow it with LLM_CANARY_ALLOW_PRIVATE_NETWORKS";

/**
 * Null when the policy lets a connection go to `address`; else why not. `shownAs` is what the
 * message names: the host the caller wrote for an address in the URL, the name for a resolved one
 * (whose addresses are not told: they describe the server's network).
 */
export function judgeAddress(policy: OutboundPolicy, address: string, shownAs: TargetHost): Refusal | null {
  const ip = parseIp(address);
  if (!ip) return { reason: "invalid", message: `must name a host; ${address} is neither a name nor an address` };
  const addressClass = classifyIp(ip);
  if (addressClass === "public") return null;
  const real = unmapped(ip);
  if (policy.allowed.some((range) => inRange(ip, range) || inRange(real, range))) return null;
  const what = ADDRESS_CLASS_NAMES[addressClass];
  const message =
    "ip" in shownAs
      ? `must point at a public address; ${shownAs.ip} is ${what} (${ALLOW_HINT})`
      : `must point at a public address; ${shownAs.name} resolves to ${what} (${ALLOW_HINT})`;
  return { reason: addressClass, message };
}

/** The URL and its host, or why the policy refuses it before any resolution. */
export function parseTarget(raw: string): { url: URL; host: TargetHost } | Refusal {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { reason: "invalid", message: "must be an http:// or https:// URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { reason: "scheme", message: `must be an http:// or https:// URL, not ${url.protocol}//` };
  }
  // The WHATWG parser has already rewritten every IPv4 spelling (127.1, 2130706433, 0x7f.1,
  // 0177.0.0.1) as dotted decimal and compressed IPv6; the connection goes to exactly this host.
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (parseIp(hostname)) return { url, host: { ip: hostname } };
  return { url, host: { name: hostname.replace(/\.$/, "").toLowerCase() } };
}
