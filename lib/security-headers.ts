// The security headers, in one place: the console's pages and the admin API get them from the
// proxy and next.config (Next), the client API from lib/hot. README "Security" lists them.

/** Sent with every answer, whatever it is. */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** JSON answers load nothing and may be framed by nothing. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * A page's policy: scripts only with this answer's nonce (Next puts it on its own inline and
 * chunk scripts) and what those load ('strict-dynamic'), no inline script an attacker could
 * inject. Styles stay 'unsafe-inline': recharts and React set style attributes, which nonces do
 * not cover, CodeMirror (the console's code editor) injects its style sheet, and styles cannot run
 * code. `npm run dev` needs eval and its hot-reload socket.
 */
export function pageContentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
