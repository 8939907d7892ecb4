import { judgeAddress, outboundPolicy, parseTarget, type OutboundPolicy, type Refusal } from "./policy";
import { resolveName, type ResolvedAddress } from "./resolve";

// A URL judged by the policy after resolution: the addresses a request may connect to, or why
// not. A name is judged on every address it resolves to, and refused if any one is refused (a
// mixed answer, public and private, is how rebinding attacks hedge their bets).

export interface ResolvedTarget {
  url: URL;
  /** The host to connect to, without IPv6 brackets. */
  hostname: string;
  /** What the name resolved to, all allowed; null when the URL holds an address. */
  addresses: ResolvedAddress[] | null;
}

export type TargetVerdict =
  | { kind: "allowed"; target: ResolvedTarget }
  | { kind: "refused"; refusal: Refusal }
  /** The name did not resolve (or not before the signal aborted). */
  | { kind: "unresolved" };

// RFC 6761: names under localhost are the loopback, whatever a resolver says.
const LOOPBACK: ResolvedAddress[] = [
  { address: "127.0.0.1", family: 4 },
  { address: "::1", family: 6 },
];

/**
 * Verdicts on URLs that name an address or `localhost`, by policy: judged without DNS, so the same
 * every time until the policy changes. A provider called for every gateway request is judged once,
 * not per call. A name is resolved and judged anew on every call (no DNS cache here yet).
 */
const fixedVerdicts = new WeakMap<OutboundPolicy, Map<string, TargetVerdict>>();
const MAX_CACHED = 1_000;

/** The verdict on a URL judged without DNS before, at once (no promise); undefined when there is none yet. */
export function fixedVerdict(raw: string, policy: OutboundPolicy = outboundPolicy()): TargetVerdict | undefined {
  return fixedVerdicts.get(policy)?.get(raw);
}

export async function resolveTarget(raw: string, signal: AbortSignal, policy: OutboundPolicy = outboundPolicy()): Promise<TargetVerdict> {
  const hit = fixedVerdict(raw, policy);
  if (hit) return hit;
  const parsed = parseTarget(raw);
  if ("reason" in parsed) return { kind: "refused", refusal: parsed };
  const { url, host } = parsed;
  if ("name" in host && !isLoopbackName(host.name)) return judgeName(url, host, signal, policy);
  const verdict = "ip" in host ? judgeIp(url, host.ip, policy) : judgeAddresses(url, host, LOOPBACK, policy);
  let known = fixedVerdicts.get(policy);
  if (!known) fixedVerdicts.set(policy, (known = new Map()));
  if (known.size >= MAX_CACHED) known.clear();
  known.set(raw, verdict);
  return verdict;
}

const isLoopbackName = (name: string) => name === "localhost" || name.endsWith(".localhost");

function judgeIp(url: URL, ip: string, policy: OutboundPolicy): TargetVerdict {
  const refusal = judgeAddress(policy, ip, { ip: url.hostname });
  return refusal ? { kind: "refused", refusal } : { kind: "allowed", target: { url, hostname: ip, addresses: null } };
}

async function judgeName(url: URL, host: { name: string }, signal: AbortSignal, policy: OutboundPolicy): Promise<TargetVerdict> {
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolveName(host.name, signal);
  } catch {
    return { kind: "unresolved" };
  }
  return judgeAddresses(url, host, addresses, policy);
}

function judgeAddresses(url: URL, host: { name: string }, addresses: ResolvedAddress[], policy: OutboundPolicy): TargetVerdict {
  for (const { address } of addresses) {
    const refusal = judgeAddress(policy, address, host);
    if (refusal) return { kind: "refused", refusal };
  }
  return { kind: "allowed", target: { url, hostname: url.hostname, addresses } };
}

/**
 * The check made when a URL is saved (alert channels, provider connections): why the
 * policy refuses it, or null. A name that does not resolve now is not refused here (DNS may be
 * down for a moment); sending to it fails as `connection_failed` and is judged again then.
 */
export async function checkOutboundUrl(raw: string, policy: OutboundPolicy = outboundPolicy()): Promise<Refusal | null> {
  const verdict = await resolveTarget(raw, AbortSignal.timeout(5_000), policy);
  return verdict.kind === "refused" ? verdict.refusal : null;
}
