import { OutboundError } from "./request";
import { openOutboundStream, type OutboundStream, type OutboundStreamRequest } from "./stream";

// Following redirects for callers that expect them (provider APIs behind a gateway or a moved
// path). Each hop is a new openOutboundStream call, so the policy judges every hop's address after
// resolution as it judged the first; a hop it refuses ends the call with `refused_by_policy`
// naming the redirect's origin (never its path or query, which may carry a token). Credentials go
// only where the first request went: on a hop to another origin the headers named in
// `credentialHeaders` are dropped, as browsers drop Authorization.

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface FollowOptions {
  /** Hops followed at most; the answer after that is returned as it is (a 3xx). */
  maxRedirects?: number;
  /** Header names (any case) sent to the first origin only. */
  credentialHeaders?: readonly string[];
}

/**
 * Opens `url` and follows its redirects, handing the final answer (or the failure) to `done`;
 * callbacks, no promise per call (the gateway's hot path; callProvider wraps it in one).
 */
export function openStreamFollowing(url: string, request: OutboundStreamRequest, options: FollowOptions, done: (error: unknown, answer?: OutboundStream) => void): void {
  const maxRedirects = options.maxRedirects ?? 5;
  const hop = (current: string, hopRequest: OutboundStreamRequest, redirects: number) =>
    openOutboundStream(current, hopRequest, (error, answer) => {
      if (error !== undefined) {
        const refusedHop = error instanceof OutboundError && error.failure === "refused_by_policy" && current !== url;
        return done(refusedHop ? new OutboundError("refused_by_policy", error.refusal, originOf(current)) : error);
      }
      const next = redirectOf(answer!, url, current, hopRequest, options, redirects >= maxRedirects);
      if (!next) return done(undefined, answer);
      answer!.close();
      hop(next.url, next.request, redirects + 1);
    });
  hop(url, request, 0);
}

/** Where a redirect answer sends the request next, and with what; null to return the answer as it is. */
function redirectOf(
  answer: OutboundStream,
  first: string,
  current: string,
  hop: OutboundStreamRequest,
  options: FollowOptions,
  tooMany: boolean,
): { url: string; request: OutboundStreamRequest } | null {
  const location = answer.headers.location;
  if (!REDIRECTS.has(answer.status) || !location || tooMany) return null;
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    return null;
  }
  // Worked out only when there is a redirect to follow: most calls have none.
  const origin = new URL(first).origin;
  const credentials = new Set((options.credentialHeaders ?? []).map((name) => name.toLowerCase()));
  // 301, 302 and 303 turn a POST into a GET without a body, as fetch does; 307 and 308 keep both.
  const keepsMethod = answer.status === 307 || answer.status === 308 || hop.method === "GET";
  const headers = Object.fromEntries(
    Object.entries(hop.headers ?? {}).filter(([name]) => next.origin === origin || !credentials.has(name.toLowerCase())),
  );
  const request = keepsMethod ? { ...hop, headers } : { ...hop, method: "GET" as const, headers: withoutBodyHeaders(headers), body: undefined };
  return { url: next.toString(), request };
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !/^content-(type|length)$/i.test(name)));
}

function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "an invalid URL";
  }
}
