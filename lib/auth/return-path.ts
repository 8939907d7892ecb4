/** Where to go after signing in: only same-site paths, so a link cannot send users elsewhere. */
export function safeReturnPath(value: unknown): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}
