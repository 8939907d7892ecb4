import { OutboundError, outboundStream, type OutboundStream, type OutboundStreamRequest } from "./request";

// Following redirects for callers that expect them (provider APIs behind a gateway or a moved
// path). Each hop is a new outboundStream call, so the policy judges every hop's address after
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

export async function outboundStreamFollowing(url: string, request: OutboundStreamRequest, options: FollowOptions = {}): Promise<OutboundStream & { url: string }> {
  const maxRedirects = options.maxRedirects ?? 5;
  let current = url;
  let hop = request;
  for (let redirects = 0; ; redirects++) {
    let answer: OutboundStream;
    try {
      answer = await outboundStream(current, hop);
    } catch (error) {
      if (error instanceof OutboundError && error.failure === "refused_by_policy" && current !== url) {
        throw new OutboundError("refused_by_policy", error.refusal, originOf(current));
      }
      throw error;
    }
    const location = answer.headers.location;
    if (!REDIRECTS.has(answer.status) || !location || redirects >= maxRedirects) return { ...answer, url: current };
    answer.close();
    // Worked out only when there is a redirect to follow: most calls have none.
    const origin = new URL(url).origin;
    const credentials = new Set((options.credentialHeaders ?? []).map((name) => name.toLowerCase()));
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return { ...answer, url: current };
    }
    // 301, 302 and 303 turn a POST into a GET without a body, as fetch does; 307 and 308 keep both.
    const keepsMethod = answer.status === 307 || answer.status === 308 || hop.method === "GET";
    const headers = Object.fromEntries(
      Object.entries(hop.headers ?? {}).filter(([name]) => next.origin === origin || !credentials.has(name.toLowerCase())),
    );
    hop = keepsMethod ? { ...hop, headers } : { ...hop, method: "GET", headers: withoutBodyHeaders(headers), body: undefined };
    current = next.toString();
  }
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
