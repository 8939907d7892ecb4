import { cache } from "react";
import NextAuth, { type Session } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { CredentialsSignin } from "next-auth";
import { CLIENT_IP_HEADER } from "../client-address";
import { loginThrottle, type BlockedVerdict } from "./login-throttle";
import { getPrisma } from "../db/client";
import { authenticate } from "./user-service";
import { isRole, type Role } from "./scopes";

// Sessions are signed JWT cookies (the Credentials provider requires them). They carry the
// user id and role for display; anything that authorizes an action re-reads the user from the
// database (lib/http/route.ts), so a changed role or a disabled user takes effect at once.

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name?: string | null; role: Role };
  }
  interface User {
    role?: Role;
  }
}

/** Sign-in refused before the password is checked: too many recent failures (lib/auth/login-throttle.ts). */
export class TooManyAttempts extends CredentialsSignin {
  code = "too_many_attempts";
  constructor(readonly verdict: BlockedVerdict) {
    super();
  }
}

const nextAuth = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  logger: {
    // A wrong password is expected traffic, not a server error: one line, no stack, no input.
    error(error) {
      // Class names are minified in the build; AuthError subclasses carry a stable `type`.
      if ((error as { type?: string }).type === "CredentialsSignin") console.warn("[auth] sign-in refused: wrong e-mail or password");
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
        return { id: user.id, email: user.email, name: user.name, role: user.role };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.role = user.role;
      }
      return token;
    },
    session({ session, token }) {
      const role = typeof token.role === "string" && isRole(token.role) ? token.role : "viewer";
      session.user.id = token.sub ?? "";
      session.user.role = role;
      return session;
    },
  },
});

export const { handlers, signIn, signOut } = nextAuth;

/** The current session, read once per request. */
export const auth: () => Promise<Session | null> = cache(() => nextAuth.auth());
