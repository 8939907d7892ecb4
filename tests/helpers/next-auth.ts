import path from "node:path";
import { CLIENT_IP_HEADER } from "../../lib/client-address";
import { ensureTestAuthSecret } from "./call";

// The console's sign-in, session and sign-out, through next-auth's own route handler
// (app/api/auth/[...nextauth]) with real Requests: what the login form, pages and the
// "Sign out" button end up calling.

type AuthHandler = (request: Request) => Promise<Response>;
const ORIGIN = "http://localhost:3000";

let handlers: Promise<{ GET: AuthHandler; POST: AuthHandler }> | undefined;

/** Loaded on first use: next-auth reads AUTH_SECRET when its module is evaluated. */
function nextAuth() {
  ensureTestAuthSecret();
  handlers ??= import(path.join(process.cwd(), "app/api/auth/[...nextauth]/route.ts"));
  return handlers;
}

function cookieOf(response: Response, name: string): string | null {
  const found = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);
  return found ?? null;
}

async function csrf(): Promise<{ cookie: string; csrfToken: string }> {
  const res = await (await nextAuth()).GET(new Request(`${ORIGIN}/api/auth/csrf`));
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: cookieOf(res, "authjs.csrf-token")!, csrfToken };
}

async function post(action: string, form: Record<string, string>, cookie: string, address = "192.0.2.1"): Promise<Response> {
  const token = await csrf();
  return (await nextAuth()).POST(
    new Request(`${ORIGIN}/api/auth/${action}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [cookie, token.cookie].filter(Boolean).join("; "),
        [CLIENT_IP_HEADER]: address,
      },
      body: new URLSearchParams({ ...form, csrfToken: token.csrfToken }).toString(),
    }),
  );
}

/** Signs in with the login form's credentials: the new session cookie, or null when refused. */
export async function signInThroughNextAuth(email: string, password: string, address?: string): Promise<string | null> {
  const res = await post("callback/credentials", { email, password, callbackUrl: "/" }, "", address);
  await res.body?.cancel();
  return cookieOf(res, "authjs.session-token");
}

/** The session next-auth's session endpoint gives for this cookie (what pages see), or null. */
export async function sessionThroughNextAuth(cookie: string): Promise<{ user: { email: string } } | null> {
  const res = await (await nextAuth()).GET(new Request(`${ORIGIN}/api/auth/session`, { headers: { cookie } }));
  const body = (await res.json()) as { user?: { email: string } } | null;
  return body?.user ? (body as { user: { email: string } }) : null;
}

/** Signs out with this session cookie, as the console's "Sign out" button does. */
export async function signOutThroughNextAuth(cookie: string): Promise<number> {
  const res = await post("signout", { callbackUrl: "/login" }, cookie);
  await res.body?.cancel();
  return res.status;
}
