import { NextResponse, type NextRequest } from "next/server";
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS, pageContentSecurityPolicy } from "@/lib/security-headers";

// Every answer Next gives (pages, the admin API, static files) leaves here with the security
// headers. A page gets a fresh nonce: Next reads it from the request's Content-Security-Policy
// header and puts it on the scripts it renders, so only those run. (The client API never reaches
// Next; lib/hot sends the same headers.) Authorization is not decided here: each handler and
// layout checks the session itself.
export function proxy(request: NextRequest): NextResponse {
  const { pathname } = request.nextUrl;
  const requestHeaders = new Headers(request.headers);
  let policy: string | null = null;
  if (pathname.startsWith("/api/")) {
    policy = API_CONTENT_SECURITY_POLICY;
  } else if (!pathname.startsWith("/_next/")) {
    const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
    policy = pageContentSecurityPolicy(nonce, process.env.NODE_ENV === "development");
    requestHeaders.set("Content-Security-Policy", policy);
  }
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  if (policy) response.headers.set("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}
