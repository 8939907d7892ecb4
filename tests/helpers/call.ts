import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import type { Db } from "../../lib/db/types";
import { createApiKey } from "../../lib/auth/api-key-service";
import { newSessionClaims } from "../../lib/auth/sessions";
import { createUser } from "../../lib/auth/user-service";
import type { ApiKeyScope, Role } from "../../lib/auth/scopes";

// Calls route handlers with real Requests, authenticated the way real clients are: a signed
// next-auth session cookie or an API key.

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export interface CallOptions {
  params?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  auth?: string; // a full Authorization header value, or a Cookie header via `cookie`
  cookie?: string;
  query?: Record<string, string>;
}

export async function call(handler: Handler, method: string, options: CallOptions = {}) {
  const url = new URL("http://test.local/api");
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = options.auth;
  if (options.cookie) headers.cookie = options.cookie;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await handler(new Request(url, { method, headers, body }), { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export function ensureTestAuthSecret(): string {
  process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
  return process.env.AUTH_SECRET;
}

/** A user of the role and a signed session cookie for them, as next-auth would set after login. */
export async function sessionFor(db: Db, role: Role): Promise<{ cookie: string; userId: string }> {
  const system = { type: "system", id: null, label: "test", scopes: [] } as const;
  const email = `${role}-${randomBytes(4).toString("hex")}@example.com`;
  const { user } = await createUser(db, system, { email, role, password: "a long enough password" });
  return { cookie: await sessionCookieOf(db, user.id), userId: user.id };
}

/** A new session of an existing user, with the claims next-auth's jwt callback gives one at sign-in. */
export async function sessionCookieOf(db: Db, userId: string): Promise<string> {
  const secret = ensureTestAuthSecret();
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  const claims = { sub: user.id, email: user.email, role: user.role, ...newSessionClaims(user) };
  const token = await encode({ token: claims, secret, salt: "authjs.session-token", maxAge: 3600 });
  return `authjs.session-token=${token}`;
}

export async function adminKey(db: Db, scopes: ApiKeyScope[] = ["admin"]): Promise<string> {
  const system = { type: "system", id: null, label: "test", scopes: [] } as const;
  const { key } = await createApiKey(db, system, { name: `key-${randomBytes(3).toString("hex")}`, scopes });
  return `Bearer ${key}`;
}
