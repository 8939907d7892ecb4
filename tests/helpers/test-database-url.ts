// Integration and e2e tests run against TEST_DATABASE_URL (a real PostgreSQL server; CI sets it)
// or, when it is unset, against embedded PGlite. Only a local server is accepted: the tests
// create and drop databases.

export function testServerUrl(): URL | null {
  const raw = process.env.TEST_DATABASE_URL;
  if (!raw) return null;
  const url = new URL(raw);
  if (!["localhost", "127.0.0.1", "[::1]", "::1"].includes(url.hostname)) {
    throw new Error(`TEST_DATABASE_URL must point at a local server (localhost); it points at ${url.hostname}.`);
  }
  return url;
}

export function withDatabase(url: URL, name: string): string {
  const copy = new URL(url);
  copy.pathname = `/${name}`;
  return copy.toString();
}
