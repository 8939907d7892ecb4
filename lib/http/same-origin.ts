import { ForbiddenError } from "../errors";

// CSRF defence for requests authenticated by the session cookie: a browser names the page that
// caused a request in `Origin` (always, for a cross-origin POST) and says in `Sec-Fetch-Site`
// whether it came from another site. A state-changing request from another origin is refused,
// whatever its content type. Requests with neither header are not from a browser page (scripts
// with a copied cookie), which CSRF cannot forge. API-key requests carry no ambient credential
// and are not checked.

export function assertSameOrigin(request: Request): void {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite === "cross-site" || fetchSite === "same-site") throw crossSite(`came from another site (${fetchSite})`);
  const origin = request.headers.get("origin");
  if (origin === null) return;
  if (origin === "null") throw crossSite("came from an opaque origin");
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw crossSite("has a malformed Origin header");
  }
  const expected = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? new URL(request.url).host;
  if (host !== expected) throw crossSite(`came from ${origin}`);
}

function crossSite(why: string): ForbiddenError {
  return new ForbiddenError(`This request ${why}; the console's session only acts for pages of the console itself. Scripts should send an API key.`);
}
