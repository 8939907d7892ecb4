// CORS for the client API, so the SDK works from a browser page on another origin. These
// endpoints authenticate with a bearer key, never a cookie, so allowing other origins exposes
// nothing a page could not already do with the key; LLM_CANARY_CORS_ORIGINS narrows the list.

const EXPOSED = "etag, retry-after, x-request-id, x-canary-snapshot, x-canary-snapshot-age";

/** `allowed`: "*" or exact origins like https://app.example.com. */
export function corsHeaders(allowed: readonly string[], origin: string | undefined): Record<string, string> {
  if (!origin) return {};
  if (allowed.includes("*")) return { "access-control-allow-origin": "*", "access-control-expose-headers": EXPOSED };
  if (!allowed.includes(origin)) return {};
  return { "access-control-allow-origin": origin, "access-control-expose-headers": EXPOSED, vary: "Origin" };
}

/** The answer to a preflight OPTIONS request. */
export function preflightHeaders(allowed: readonly string[], origin: string | undefined): Record<string, string> {
  const base = corsHeaders(allowed, origin);
  if (!base["access-control-allow-origin"]) return base;
  return {
    ...base,
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers": "authorization, content-type, if-none-match",
    "access-control-max-age": "600",
  };
}
