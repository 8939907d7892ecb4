import { cache } from "react";
import NextAuth, { type Session } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { CredentialsSignin } from "next-auth";
import { CLIENT_IP_HEADER } from "../client-address";
import { loginThrottle, type BlockedVerdict } from "./login-throttle";
import { getPrisma } from "../db/client";
import { checkSession, endSession, newSessionClaims, SESSION_MAX_AGE_SEC, sessionRefusalLine } from "./sessions";
import { authenticate } from "./user-service";
import { isRole, type Role } from "./scopes";

// Sessions are signed JWT cookies (the Credentials provider requires them). They carry the
// user id and role for display, and the session's id and version (lib/auth/sessions.ts); every
// read of a session checks those against the database here (jwt callback) or in the admin API
// (lib/auth/resolve-actor.ts), and anything that authorizes an action re-reads the user, so a
// changed role, a disabled user, a new password or a sign-out takes effect at once.

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name?: string | null; role: Role };
  }
  interface User {
    role?: Role;
    sessionVersion?: number;
  }
}

/** Sign-in refused before the password is checked: too many recent failures (lib/auth/login-throttle.ts). */
export class TooManyAttempts extends CredentialsSignin {
  code = "too_many_attempts";
  constructor(readonly verdict: BlockedVerdict) {
    super();
  }
}

/**
 * Why a session cookie could not be read, in a few words: the code of the decryption error
 * (`ERR_JWE_DECRYPTION_FAILED`, `ERR_JWT_EXPIRED`, …). Never the cookie, never a stack.
 */
function unreadableCookieReason(error: unknown): string {
  const cause = (error as { cause?: { err?: { code?: unknown } } }).cause?.err;
  return typeof cause?.code === "string" ? cause.code : "unreadable";
}

function causeMessage(error: unknown): string {
  const cause = (error as { cause?: { err?: unknown } }).cause?.err;
  return cause instanceof Error ? cause.message : "unknown error";
}

const nextAuth = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SEC },
  pages: { signIn: "/login" },
  logger: {
    // Refusals are expected traffic, not server errors: one line each, no stack, no input.
    // Class names are minified in the build; AuthError subclasses carry a stable `type`.
    error(error) {
      const type = (error as { type?: string }).type;
      if (type === "CredentialsSignin") console.warn("[auth] sign-in refused: wrong e-mail or password");
      else if (type === "JWTSessionError") console.warn(sessionRefusalLine("console", { unreadable: unreadableCookieReason(error) }));
      else if (type === "SignOutError") console.error(`[auth] sign-out not recorded, so copies of that session's cookie still work: ${causeMessage(error)}`);
      else console.error("[auth]", error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "E-mail" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const email = typeof credentials?.email === "string" ? credentials.email.trim() : "";
        const password = typeof credentials?.password === "string" ? credentials.password : "";
        if (!email || !password || email.length > 254 || password.length > 200) return null;
        // Here rather than in the login form, so next-auth's own callback endpoint is limited too.
        const throttle = loginThrottle();
        const ip = request.headers.get(CLIENT_IP_HEADER) ?? "unknown";
        const verdict = throttle.check(email, ip);
        if (!verdict.allowed) throw new TooManyAttempts(verdict);
        const user = await authenticate(await getPrisma(), email, password);
        if (!user) {
          throttle.fail(email, ip);
          return null;
        }
        throttle.succeed(email);
        return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
      },
    }),
  ],
  callbacks: {
    // At sign-in (`user` set) the session gets its claims; on every later read it is checked, and
    // a refused one comes back as no session (next-auth clears the cookie where it can).
    // Claims sent with an update (`session`) are ignored: only sign-in sets them.
    async jwt({ token, user }) {
      if (user) {
        return { ...token, sub: user.id, role: user.role, ...newSessionClaims({ sessionVersion: user.sessionVersion ?? -1 }) };
      }
      try {
        const checked = await checkSession(await getPrisma(), token);
        if (checked.ok) return token;
        console.warn(sessionRefusalLine("console", checked.reason, token.sub));
      } catch (error) {
        console.error(`[auth] console: could not check a session, refusing it: ${error instanceof Error ? error.message : String(error)}`);
      }
      return null;
    },
    session({ session, token }) {
      const role = typeof token.role === "string" && isRole(token.role) ? token.role : "viewer";
      session.user.id = token.sub ?? "";
      session.user.role = role;
      return session;
    },
  },
  events: {
    // Sign-out ends this session only (every copy of its cookie); other devices stay signed in.
    async signOut(message) {
      await endSession(await getPrisma(), "token" in message ? message.token : null);
    },
  },
});

export const { handlers, signIn, signOut } = nextAuth;

/** The current session, read once per request. */
export const auth: () => Promise<Session | null> = cache(() => nextAuth.auth());
