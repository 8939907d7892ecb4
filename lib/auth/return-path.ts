// Checked by what a browser would do with the value, not by its first characters: browsers read
// `\` as `/` and drop tabs and newlines, so `/\evil.example/` and `/<TAB>/evil.example` are links
// to another site although they start with a single slash.
const BASE = "http://return-path.invalid";

/** Where to go after signing in: only a path on this site, so a link cannot send users elsewhere. */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
